import { randomUUID } from 'node:crypto';
import {
  Admin,
  compatibilityPartitioner,
  Consumer,
  FetchIsolationLevels,
  ListOffsetTimestamps,
  ProduceAcks,
  Producer,
  type BaseOptions,
  type ClusterMetadata,
  type CommitOptionsPartition,
  type GroupAssignment,
  type MessageToProduce,
  type RecordsBatch,
} from '@platformatic/kafka';
import {
  partitionKey,
  type ConsumerHandlers,
  type LogBatch,
  type LogConsumer,
  type LogMessage,
  type LogProducer,
  type LogRecord,
  type LogTransaction,
  type LogTransport,
  type TransactionalProducer,
  type TopicPartition,
  type TopicPartitionOffset,
  type TopicSpec,
} from '../checkpoint/LogTransport.js';
import { requestChunks } from '../checkpoint/requestChunks.js';

/** Options of {@link platformaticTransport}. */
export interface PlatformaticTransportOptions {
  /** `host:port` of one or more brokers. */
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /**
   * Passed to every `@platformatic/kafka` client as it is (TLS, SASL, timeouts, retries); `brokers` and
   * `clientId` above win.
   */
  readonly clientOptions?: Omit<BaseOptions, 'bootstrapBrokers' | 'clientId'>;
  /**
   * Consumer-group timing, in ms. A member that dies without leaving holds its partitions until
   * `sessionTimeout` passes (default 30 000; the broker's minimum is 6 000 by default). `maxWaitTime` is
   * how long a fetch waits on the broker for new records (default 500).
   */
  readonly consumer?: {
    readonly sessionTimeout?: number;
    readonly heartbeatInterval?: number;
    readonly rebalanceTimeout?: number;
    readonly maxWaitTime?: number;
  };
}

const NO_HEADERS: Readonly<Record<string, Uint8Array>> = Object.freeze({});
/** Per partition and fetch; the broker's default `max.partition.fetch.bytes`. */
const PARTITION_FETCH_BYTES = 1024 * 1024;
const FETCH_BYTES = 16 * 1024 * 1024;
/** Control batches (transaction markers) take offsets but hold no records of the application. */
const IS_CONTROL = 0b100000;
const OFFSET_OUT_OF_RANGE = 'OFFSET_OUT_OF_RANGE';

const toBuffer = (bytes: Uint8Array | null): Buffer | undefined =>
  bytes === null ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const headersOf = (
  headers: readonly [Buffer | null, Buffer | null][],
): Readonly<Record<string, Uint8Array>> => {
  if (headers.length === 0) return NO_HEADERS;
  const out: Record<string, Uint8Array> = {};
  // The first value of a repeated header wins, as with KafkaJS.
  for (const [name, value] of headers) {
    if (name === null || value === null) continue;
    const key = name.toString();
    if (!(key in out)) out[key] = value;
  }
  return out;
};

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Apache Kafka through `@platformatic/kafka` (pure TypeScript, no native code), as a
 * {@link LogTransport}: the same contract as `kafkaTransport`, with a cheaper fetch path. Producers are
 * idempotent and wait for all in-sync replicas; consumers never commit on their own, read committed
 * data only, and fetch the next records while the runtime handles the last ones.
 *
 * @example
 * ```ts
 * import { platformaticTransport } from 'tributary';
 * const kafka = platformaticTransport({ brokers: ['127.0.0.1:19092'] });
 * ```
 */
export const platformaticTransport = (options: PlatformaticTransportOptions): LogTransport => {
  const base = {
    ...options.clientOptions,
    clientId: options.clientId ?? 'tributary',
    bootstrapBrokers: [...options.brokers],
  };
  let admin: Admin | undefined;
  const adminClient = (): Admin => (admin ??= new Admin(base));
  // Reads outside any group (end offsets, changelog restores) through one consumer that never joins one.
  let reader: Consumer | undefined;
  const readerClient = (): Consumer =>
    (reader ??= new Consumer({
      ...base,
      groupId: `tributary-reader-${randomUUID()}`,
      autocommit: false,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    }));
  const producers = new Set<Producer>();

  return {
    consumer: (groupId, topics) =>
      new PlatformaticLogConsumer(base, adminClient, groupId, topics, options.consumer ?? {}),
    producer: async () => {
      const producer = new Producer({
        ...base,
        idempotent: true,
        acks: ProduceAcks.ALL,
        // Kafka's own partitioner (murmur2 of the key), so keys land where Java and KafkaJS clients put them.
        partitioner: compatibilityPartitioner,
        retries: base.retries ?? 10,
      });
      producers.add(producer);
      await producer.initIdempotentProducer({});
      return new PlatformaticLogProducer(producer, () => producers.delete(producer));
    },
    transactionalProducer: async (transactionalId) =>
      new PlatformaticTransactionalProducer(
        () => {
          const producer = new Producer({
            ...base,
            idempotent: true,
            transactionalId,
            acks: ProduceAcks.ALL,
            partitioner: compatibilityPartitioner,
            retries: base.retries ?? 10,
          });
          producers.add(producer);
          return producer;
        },
        (producer) => producers.delete(producer),
      ),
    ensureTopics: async (specs: readonly TopicSpec[]) => {
      const client = adminClient();
      const existing = new Set(await client.listTopics());
      const missing = specs.filter((s) => !existing.has(s.topic));
      for (const spec of missing) {
        try {
          await client.createTopics({
            topics: [spec.topic],
            partitions: spec.partitions,
            // A compacted changelog keeps a key's earlier states for a day: a restore may need the state
            // of the last complete checkpoint when a later one was cut short.
            ...(spec.compacted
              ? {
                  configs: [
                    { name: 'cleanup.policy', value: 'compact' },
                    { name: 'min.compaction.lag.ms', value: '86400000' },
                  ],
                }
              : {}),
          });
        } catch (error) {
          // Created meanwhile by another instance: left as it is, as documented.
          if (
            !(error as { findBy?: (k: string, v: unknown) => unknown }).findBy?.(
              'apiId',
              'TOPIC_ALREADY_EXISTS',
            )
          )
            throw error;
        }
      }
      if (missing.length > 0)
        await waitForLeaders(
          readerClient(),
          missing.map((s) => s.topic),
        );
    },
    endOffsets: async (topic) => {
      const offsets = await readerClient().listOffsets({
        topics: [topic],
        timestamp: ListOffsetTimestamps.LATEST,
      });
      return (offsets.get(topic) ?? []).map((offset, partition) => ({
        topic,
        partition,
        offset: String(offset),
      }));
    },
    partitions: async (topic) => {
      const metadata = await readerClient().metadata({ topics: [topic], forceUpdate: true });
      return metadata.topics.get(topic)?.partitionsCount ?? 0;
    },
    readPartition: (topic, partition, fromOffset) =>
      readPartition(readerClient(), topic, partition, fromOffset),
    close: async () => {
      await Promise.all([...producers].map((p) => p.close()));
      await reader?.close();
      await admin?.close();
    },
  };
};

/** Waits until every partition of the topics has a leader, as a created topic does not at once. */
async function waitForLeaders(client: Consumer, topics: readonly string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await client
      .metadata({ topics: [...topics], forceUpdate: true })
      .then((m) => topics.every((t) => m.topics.get(t)?.partitions.every((p) => p.leader >= 0)))
      .catch(() => false);
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leader after 30 s`);
    await delay(100);
  }
}

class PlatformaticLogProducer implements LogProducer {
  /** One request at a time: the idempotent producer numbers each request from the last acknowledged one. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly producer: Producer,
    private readonly closed: () => void,
  ) {}

  send(topic: string, messages: readonly LogMessage[]): Promise<void> {
    const run = this.queue.then(async () => {
      for (const chunk of requestChunks(messages)) {
        await this.producer.send({ messages: chunk.map((m) => toProduced(topic, m)) });
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.producer.close();
    this.closed();
  }
}

/**
 * Transactions whose offset commits carry the consumer's group generation and member id (KIP-447): a
 * member that the group has moved on from cannot commit, so a zombie's outputs never become visible.
 */
class PlatformaticTransactionalProducer implements TransactionalProducer {
  private producer: Producer | undefined;

  /**
   * @param create a producer with the transactional id: a new one after a transaction the client could not
   *   end (the broker had aborted it, say), whose initialisation also aborts what the old one left open
   */
  constructor(
    private readonly create: () => Producer,
    private readonly closed: (producer: Producer) => void,
  ) {}

  async begin(): Promise<LogTransaction> {
    const producer = (this.producer ??= this.create());
    const tx = await producer.beginTransaction().catch(async (error: unknown) => {
      await this.discard(producer);
      throw error;
    });
    return {
      send: async (topic, messages) => {
        for (const chunk of requestChunks(messages)) {
          await tx.send({ messages: chunk.map((m) => toProduced(topic, m)) });
        }
      },
      commitOffsets: async (consumer, offsets) => {
        if (!(consumer instanceof PlatformaticLogConsumer))
          throw new Error('not a consumer of this transport');
        if (offsets.length === 0) return;
        await tx.addConsumer(consumer.client);
        const group = consumer.groupMetadata();
        for (const { topic, partition, offset } of offsets) {
          // The client commits the offset after the message's: the message before the position.
          await tx.addOffset({
            topic,
            partition,
            offset: BigInt(offset) - 1n,
            key: undefined,
            value: undefined,
            headers: new Map(),
            timestamp: 0n,
            metadata: { consumer: group },
            commit: () => undefined,
          } as never);
        }
      },
      commit: () => tx.commit(),
      abort: async () => {
        if (tx.completed) return;
        try {
          await tx.abort();
        } catch {
          // The client cannot end it: the next transaction starts on a new producer.
          await this.discard(producer);
        }
      },
    };
  }

  async close(): Promise<void> {
    if (this.producer) await this.discard(this.producer);
  }

  private async discard(producer: Producer): Promise<void> {
    if (this.producer === producer) this.producer = undefined;
    await producer.close().catch(() => undefined);
    this.closed(producer);
  }
}

const toProduced = (topic: string, m: LogMessage): MessageToProduce => {
  const message: MessageToProduce = { topic };
  const key = toBuffer(m.key);
  const value = toBuffer(m.value);
  if (key !== undefined) message.key = key;
  if (value !== undefined) message.value = value;
  if (m.headers) {
    // Without serializers the client writes header names and values as they are: both must be bytes.
    const headers = new Map<Buffer, Buffer>();
    for (const [name, v] of Object.entries(m.headers)) {
      headers.set(Buffer.from(name), typeof v === 'string' ? Buffer.from(v) : toBuffer(v)!);
    }
    message.headers = headers;
  }
  // Kafka timestamps are whole milliseconds.
  if (m.timestamp !== undefined) message.timestamp = BigInt(Math.floor(m.timestamp));
  if (m.partition !== undefined) message.partition = m.partition;
  return message;
};

/** An owned partition: where it is read next (unknown until its position is found), and whether it is paused. */
interface Owned extends TopicPartition {
  next: bigint | undefined;
  paused: boolean;
}

/** One partition's part of a fetch: what was asked, what came back. */
interface Fetched {
  readonly key: string;
  readonly requested: bigint;
  readonly batch: LogBatch | undefined;
  /** The offset after the last one returned (markers included), or `requested` when nothing came. */
  readonly next: bigint;
}

interface PendingCommit {
  readonly offsets: CommitOptionsPartition[];
  lost: boolean;
}

class PlatformaticLogConsumer implements LogConsumer {
  private readonly consumer: Consumer;
  private readonly owned = new Map<string, Owned>();
  /** Assignment changes, applied in order before any later batch. */
  private changes: Promise<void> = Promise.resolve();
  private readonly pendingCommits = new Set<PendingCommit>();
  private readonly maxWaitTime: number;
  private stopped = false;
  private loop: Promise<void> | undefined;
  /** Ends the fetch loop's wait for something to fetch (an assignment, a resume, a stop). */
  private wake: (() => void) | undefined;

  constructor(
    base: BaseOptions,
    private readonly admin: () => Admin,
    private readonly groupId: string,
    private readonly topics: readonly string[],
    timing: NonNullable<PlatformaticTransportOptions['consumer']>,
  ) {
    const { maxWaitTime, ...group } = timing;
    this.maxWaitTime = maxWaitTime ?? 500;
    this.consumer = new Consumer({
      ...base,
      groupId,
      autocommit: false,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      rebalanceTimeout: 60_000,
      ...group,
    });
  }

  async run(handlers: ConsumerHandlers): Promise<void> {
    const { consumer } = this;
    // Like KafkaJS, the client has no revocation callback: the new assignment arrives with the join, and
    // the partitions that left it are revoked then, before any batch of the new generation is handled.
    consumer.on('consumer:group:join', ({ assignments }) => this.joined(assignments ?? [], handlers));
    // A rejoin that failed all its retries leaves the group: keep trying until stopped.
    consumer.on('error', () => void this.rejoin());
    consumer.topics.trackAll(...this.topics);
    await consumer.joinGroup({});
    this.loop = this.fetchLoop(handlers);
  }

  seek(partition: TopicPartition, offset: string): void {
    const owned = this.owned.get(partitionKey(partition));
    if (owned) owned.next = BigInt(offset);
  }

  /** The underlying client, for transactions that commit this member's offsets. */
  get client(): Consumer {
    return this.consumer;
  }

  /** This member's place in its group, which fences transactional offset commits. */
  groupMetadata(): { groupId: string; generationId: number; memberId: string; coordinatorId: number } {
    const { groupId, generationId, memberId, coordinatorId } = this.consumer;
    if (memberId === null || coordinatorId === null) throw new Error('the consumer is not in its group');
    return { groupId, generationId, memberId, coordinatorId };
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const owned = this.owned.get(partitionKey(tp));
      if (owned) owned.paused = true;
    }
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const owned = this.owned.get(partitionKey(tp));
      if (owned) owned.paused = false;
    }
    this.wake?.();
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const pending: PendingCommit = {
      offsets: offsets.map(({ topic, partition, offset }) => ({
        topic,
        partition,
        offset: BigInt(offset),
        leaderEpoch: -1,
      })),
      lost: false,
    };
    this.pendingCommits.add(pending);
    try {
      await this.consumer.commit({ offsets: pending.offsets });
    } finally {
      this.pendingCommits.delete(pending);
    }
    if (pending.lost) throw new Error('partitions were revoked by a rebalance during the commit');
  }

  async committed(topic: string): Promise<readonly TopicPartitionOffset[]> {
    const [group] = await this.admin().listConsumerGroupOffsets({ groups: [this.groupId] });
    const found = group?.topics.find((t) => t.name === topic);
    return (found?.partitions ?? [])
      .filter((p) => p.committedOffset >= 0n)
      .map((p) => ({ topic, partition: p.partitionIndex, offset: String(p.committedOffset) }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.consumer.close();
    await this.loop;
  }

  private joined(assignments: readonly GroupAssignment[], handlers: ConsumerHandlers): void {
    const now = new Map<string, TopicPartition>();
    for (const { topic, partitions } of assignments) {
      if (!this.topics.includes(topic)) continue;
      for (const partition of partitions) now.set(partitionKey({ topic, partition }), { topic, partition });
    }
    // A commit that the client retries after rejoining must not commit partitions that moved elsewhere.
    for (const pending of this.pendingCommits) {
      for (let i = pending.offsets.length - 1; i >= 0; i--) {
        if (!now.has(partitionKey(pending.offsets[i]!))) {
          pending.offsets.splice(i, 1);
          pending.lost = true;
        }
      }
    }
    const revoked = [...this.owned]
      .filter(([k]) => !now.has(k))
      .map(([, { topic, partition }]) => ({ topic, partition }));
    const assigned = [...now].filter(([k]) => !this.owned.has(k)).map(([, tp]) => tp);
    for (const tp of revoked) this.owned.delete(partitionKey(tp));
    for (const tp of assigned) this.owned.set(partitionKey(tp), { ...tp, next: undefined, paused: false });
    this.changes = this.changes.then(async () => {
      try {
        if (revoked.length > 0) await handlers.revoked(revoked);
        if (assigned.length > 0) {
          await this.position(assigned);
          await handlers.assigned(assigned);
        }
      } catch (error) {
        // Processing partitions whose state could not be restored would lose it: stop for good.
        this.halt(error, handlers);
      }
      this.wake?.();
    });
  }

  /** Newly assigned partitions start at the group's committed offset, else at the beginning. */
  private async position(partitions: readonly TopicPartition[]): Promise<void> {
    const topics = [...new Set(partitions.map((tp) => tp.topic))];
    const committed = await this.consumer.listCommittedOffsets({
      topics: topics.map((topic) => ({
        topic,
        partitions: partitions.filter((tp) => tp.topic === topic).map((tp) => tp.partition),
      })),
    });
    const earliest = await this.consumer.listOffsets({ topics, timestamp: ListOffsetTimestamps.EARLIEST });
    for (const tp of partitions) {
      const owned = this.owned.get(partitionKey(tp));
      if (!owned || owned.next !== undefined) continue;
      const offset = committed.get(tp.topic)?.[tp.partition];
      owned.next =
        offset !== undefined && offset >= 0n ? offset : (earliest.get(tp.topic)?.[tp.partition] ?? 0n);
    }
  }

  private async rejoin(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      await delay(Math.min(5_000, 250 * 2 ** attempt));
      if (this.stopped || this.consumer.isActive()) return;
      try {
        await this.consumer.joinGroup({});
        return;
      } catch {
        // Tried again after the next pause.
      }
    }
  }

  private halted = false;

  private halt(error: unknown, handlers: ConsumerHandlers): void {
    // A stopping consumer's closed client fails what was under way (a join's positioning): not a crash.
    if (this.halted || this.stopped) return;
    this.halted = true;
    handlers.crashed(error);
  }

  /**
   * Fetches from each partition leader and hands over one batch per partition, in order. The next fetch
   * is sent before the batches of the last one are handled, from the offsets those batches end at; a
   * batch is handed over only while its partition is still owned, unpaused and read from exactly where it
   * begins, so a seek, a pause or a rebalance meanwhile discards what was fetched ahead.
   */
  private async fetchLoop(handlers: ConsumerHandlers): Promise<void> {
    let ahead: Promise<Fetched[]> | undefined;
    let failures = 0;
    while (!this.stopped && !this.halted) {
      await this.changes;
      const fetching = ahead ?? this.fetch(new Map());
      ahead = undefined;
      let fetched: Fetched[];
      try {
        fetched = await fetching;
        failures = 0;
      } catch (error) {
        if (this.stopped) break;
        await this.recover(error, ++failures);
        continue;
      }
      if (fetched.length === 0) {
        await this.idle();
        continue;
      }
      ahead = this.fetch(new Map(fetched.map((f) => [f.key, { from: f.requested, to: f.next }])));
      ahead.catch(() => undefined);
      for (const f of fetched) {
        if (f.batch === undefined) continue;
        await this.changes;
        const owned = this.owned.get(f.key);
        if (this.stopped || this.halted || !owned || owned.paused || owned.next !== f.requested) continue;
        owned.next = f.next;
        try {
          await handlers.batch(f.batch);
        } catch (error) {
          this.halt(error, handlers);
        }
      }
    }
    await ahead?.catch(() => undefined);
  }

  /** Waits for something to fetch: an assignment positioned, a partition resumed, or a stop. */
  private async idle(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 100);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  /** After a failed fetch: a position outside the log restarts at its beginning; anything else is retried. */
  private async recover(error: unknown, failures: number): Promise<void> {
    const found = (error as { findBy?: (k: string, v: unknown) => unknown }).findBy?.(
      'apiId',
      OFFSET_OUT_OF_RANGE,
    );
    if (found) {
      const topics = [...new Set([...this.owned.values()].map((o) => o.topic))];
      const [earliest, latest] = await Promise.all([
        this.consumer.listOffsets({ topics, timestamp: ListOffsetTimestamps.EARLIEST }),
        this.consumer.listOffsets({ topics, timestamp: ListOffsetTimestamps.LATEST }),
      ]).catch(() => [new Map<string, bigint[]>(), new Map<string, bigint[]>()]);
      for (const owned of this.owned.values()) {
        const low = earliest.get(owned.topic)?.[owned.partition];
        const high = latest.get(owned.topic)?.[owned.partition];
        if (owned.next === undefined || low === undefined || high === undefined) continue;
        if (owned.next < low || owned.next > high) owned.next = low;
      }
      return;
    }
    this.consumer.clearMetadata();
    // The broker may be restarting: keep trying, backing off to 5 s, until it is back or the member stops.
    await delay(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)));
  }

  /**
   * One fetch from every leader of the partitions that can be read, each from its position, or from where
   * `ahead` says the batch being handled ends.
   */
  private async fetch(ahead: ReadonlyMap<string, { from: bigint; to: bigint }>): Promise<Fetched[]> {
    const wanted: (Owned & { key: string; from: bigint })[] = [];
    for (const [key, owned] of this.owned) {
      if (owned.paused || owned.next === undefined) continue;
      const planned = ahead.get(key);
      wanted.push({ ...owned, key, from: planned && planned.from === owned.next ? planned.to : owned.next });
    }
    if (wanted.length === 0) return [];
    const metadata = await this.consumer.metadata({ topics: [...this.topics] });
    const byLeader = new Map<number, typeof wanted>();
    for (const w of wanted) {
      const leader = metadata.topics.get(w.topic)?.partitions[w.partition]?.leader;
      if (leader === undefined || leader < 0) continue;
      const list = byLeader.get(leader) ?? [];
      list.push(w);
      byLeader.set(leader, list);
    }
    const responses = await Promise.all(
      [...byLeader].map(async ([node, list]) => {
        const topics = new Map<string, { topicId: string; partitions: FetchPartition[] }>();
        for (const w of list) {
          const topicId = metadata.topics.get(w.topic)!.id;
          const entry = topics.get(w.topic) ?? { topicId, partitions: [] };
          entry.partitions.push({
            partition: w.partition,
            fetchOffset: w.from,
            partitionMaxBytes: PARTITION_FETCH_BYTES,
            currentLeaderEpoch: -1,
            lastFetchedEpoch: -1,
          });
          topics.set(w.topic, entry);
        }
        const response = await this.consumer.fetch({
          node,
          topics: [...topics.values()],
          maxWaitTime: this.maxWaitTime,
          minBytes: 1,
          maxBytes: FETCH_BYTES,
          isolationLevel: FetchIsolationLevels.READ_COMMITTED,
        });
        return batchesOf(response, metadata, list);
      }),
    );
    return responses.flat();
  }
}

type FetchPartition = Parameters<Consumer['fetch']>[0]['topics'][number]['partitions'][number];
type FetchResponse = Awaited<ReturnType<Consumer['fetch']>>;

/** The records of a fetch response, per partition, from the offset each was asked from. */
function batchesOf(
  response: FetchResponse,
  metadata: ClusterMetadata,
  wanted: readonly { key: string; topic: string; partition: number; from: bigint }[],
): Fetched[] {
  const names = new Map<string, string>();
  for (const [name, topic] of metadata.topics) names.set(topic.id, name);
  const out: Fetched[] = [];
  for (const { topicId, partitions } of response.responses) {
    const topic = names.get(topicId);
    if (topic === undefined) continue;
    for (const p of partitions) {
      const asked = wanted.find((w) => w.topic === topic && w.partition === p.partitionIndex);
      if (!asked) continue;
      const batches = p.records ?? [];
      const last = batches.at(-1);
      const next = last ? last.firstOffset + BigInt(last.lastOffsetDelta) + 1n : asked.from;
      const records = recordsOf(topic, p.partitionIndex, batches, asked.from);
      // Under read-committed, the reader is caught up at the last stable offset, not the high watermark.
      const end = p.lastStableOffset >= 0n ? p.lastStableOffset : p.highWatermark;
      out.push({
        key: asked.key,
        requested: asked.from,
        next: next > asked.from ? next : asked.from,
        batch:
          records.length > 0
            ? { topic, partition: p.partitionIndex, records, highWatermark: String(end) }
            : undefined,
      });
    }
  }
  return out;
}

function recordsOf(
  topic: string,
  partition: number,
  batches: readonly RecordsBatch[],
  from: bigint,
): LogRecord[] {
  const records: LogRecord[] = [];
  for (const batch of batches) {
    if (batch.attributes & IS_CONTROL) continue;
    // Offsets and times as numbers while they are exact (always, in practice): cheaper than bigint per record.
    const base = batch.firstOffset;
    const exact = base + BigInt(batch.lastOffsetDelta) <= BigInt(Number.MAX_SAFE_INTEGER);
    const first = Number(base);
    const firstTimestamp = Number(batch.firstTimestamp);
    for (const r of batch.records) {
      const offset = exact ? first + r.offsetDelta : base + BigInt(r.offsetDelta);
      // A compressed batch is returned whole, from before the offset asked for.
      if (offset < from) continue;
      records.push({
        topic,
        partition,
        offset: String(offset),
        key: r.key,
        value: r.value,
        headers: headersOf(r.headers),
        timestamp: firstTimestamp + Number(r.timestampDelta),
      });
    }
  }
  return records;
}

/**
 * Reads one partition from `fromOffset` to the end it had when the read began, with plain fetches: no
 * consumer group is involved.
 */
async function readPartition(
  client: Consumer,
  topic: string,
  partition: number,
  fromOffset = '0',
): Promise<readonly LogRecord[]> {
  const partitions = { [topic]: [partition] };
  const [low, high] = await Promise.all(
    [ListOffsetTimestamps.EARLIEST, ListOffsetTimestamps.LATEST].map(async (timestamp) => {
      const offsets = await client.listOffsets({ topics: [topic], partitions, timestamp });
      const offset = offsets.get(topic)?.[partition];
      if (offset === undefined) throw new Error(`topic ${topic} has no partition ${partition}`);
      return offset;
    }),
  );
  let position = BigInt(fromOffset) > low! ? BigInt(fromOffset) : low!;
  const end = high!;
  const records: LogRecord[] = [];
  const key = partitionKey({ topic, partition });
  while (position < end) {
    const metadata = await client.metadata({ topics: [topic] });
    const info = metadata.topics.get(topic);
    const leader = info?.partitions[partition]?.leader;
    if (info === undefined || leader === undefined)
      throw new Error(`topic ${topic} has no partition ${partition}`);
    const response = await client.fetch({
      node: leader,
      topics: [
        {
          topicId: info.id,
          partitions: [
            {
              partition,
              fetchOffset: position,
              partitionMaxBytes: PARTITION_FETCH_BYTES,
              currentLeaderEpoch: -1,
              lastFetchedEpoch: -1,
            },
          ],
        },
      ],
      maxWaitTime: 100,
      minBytes: 1,
      maxBytes: FETCH_BYTES,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    });
    const [fetched] = batchesOf(response, metadata, [{ key, topic, partition, from: position }]);
    for (const r of fetched?.batch?.records ?? []) if (BigInt(r.offset) < end) records.push(r);
    // The end is the last stable offset: a read-committed fetch always gets there.
    if (fetched === undefined || fetched.next <= position) break;
    position = fetched.next;
  }
  return records;
}
