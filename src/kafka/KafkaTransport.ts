import { randomUUID } from 'node:crypto';
import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type IHeaders,
  type KafkaConfig,
  type Message,
  type Producer,
} from 'kafkajs';
import {
  partitionKey,
  type ConsumerHandlers,
  type LogBatch,
  type LogConsumer,
  type LogMessage,
  type LogProducer,
  type LogRecord,
  type LogTransport,
  type TopicPartition,
  type TopicPartitionOffset,
  type TopicSpec,
} from '../checkpoint/LogTransport.js';
import { requestChunks } from '../checkpoint/requestChunks.js';

/** Options of {@link kafkaTransport}. */
export interface KafkaTransportOptions {
  /** `host:port` of one or more brokers. */
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** Passed to KafkaJS as it is (SSL, SASL, retry, timeouts); `brokers` and `clientId` above win. */
  readonly kafkaConfig?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
  /**
   * Consumer-group timing, in ms. A member that dies without leaving holds its partitions until
   * `sessionTimeout` passes (KafkaJS default 30 000; the broker's minimum is 6 000 by default).
   */
  readonly consumer?: {
    readonly sessionTimeout?: number;
    readonly heartbeatInterval?: number;
    readonly rebalanceTimeout?: number;
  };
}

const NO_HEADERS: Readonly<Record<string, Uint8Array>> = Object.freeze({});

const toBuffer = (bytes: Uint8Array | null): Buffer | null =>
  bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const headersOf = (headers: IHeaders | undefined): Readonly<Record<string, Uint8Array>> => {
  // Most records have no headers: they share one empty object instead of a new one each.
  let out: Record<string, Uint8Array> | undefined;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) (out ??= {})[name] = typeof first === 'string' ? Buffer.from(first) : first;
  }
  return out ?? NO_HEADERS;
};

/**
 * Apache Kafka through KafkaJS, as a {@link LogTransport}. Producers are idempotent and wait for all
 * in-sync replicas; consumers never commit on their own (the runtime commits after each checkpoint).
 *
 * @example
 * ```ts
 * import { kafkaTransport } from 'tributary';
 * const kafka = kafkaTransport({ brokers: ['127.0.0.1:19092'] });
 * ```
 */
export const kafkaTransport = (options: KafkaTransportOptions): LogTransport => {
  const kafka = new Kafka({
    logLevel: logLevel.WARN,
    ...options.kafkaConfig,
    clientId: options.clientId ?? 'tributary',
    brokers: [...options.brokers],
  });
  let admin: Promise<Admin> | undefined;
  const adminClient = (): Promise<Admin> =>
    (admin ??= (async () => {
      const client = kafka.admin();
      await client.connect();
      return client;
    })().catch((error: unknown) => {
      // Not kept: the next call connects again (the broker may be back).
      admin = undefined;
      throw error;
    }));

  return {
    consumer: (groupId, topics) =>
      new KafkaLogConsumer(kafka, adminClient, groupId, topics, options.consumer ?? {}),
    producer: async () => {
      const producer = kafka.producer({
        // Kafka's own murmur2 partitioner (the Java client's), chosen explicitly.
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      return new KafkaLogProducer(producer);
    },
    ensureTopics: async (specs: readonly TopicSpec[]) => {
      const client = await adminClient();
      const existing = new Set(await client.listTopics());
      const missing = specs.filter((s) => !existing.has(s.topic));
      if (missing.length === 0) return;
      await client.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          // A compacted changelog keeps a key's earlier states for a day: a restore may need the state
          // of the last complete checkpoint when a later one was cut short.
          ...(s.compacted
            ? {
                configEntries: [
                  { name: 'cleanup.policy', value: 'compact' },
                  { name: 'min.compaction.lag.ms', value: '86400000' },
                ],
              }
            : {}),
        })),
      });
    },
    endOffsets: async (topic) => {
      const client = await adminClient();
      return (await client.fetchTopicOffsets(topic)).map((o) => ({
        topic,
        partition: o.partition,
        offset: o.high,
      }));
    },
    partitions: async (topic) => {
      const client = await adminClient();
      // Asked first: offsets of a topic that does not exist are retried for seconds before failing.
      if (!(await client.listTopics()).includes(topic)) return 0;
      return (await client.fetchTopicOffsets(topic)).length;
    },
    readPartition: (topic, partition, fromOffset) =>
      readPartition(kafka, adminClient, topic, partition, fromOffset),
    close: async () => {
      if (admin) await (await admin).disconnect();
    },
  };
};

/** KafkaJS writes a header value that is not a string or a Buffer as garbage the broker rejects. */
const headersFor = (headers: Readonly<Record<string, Uint8Array | string>>): IHeaders => {
  const out: IHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = typeof value === 'string' || Buffer.isBuffer(value) ? value : toBuffer(value)!;
  }
  return out;
};

const toKafkaMessage = (m: LogMessage): Message => ({
  key: toBuffer(m.key),
  value: toBuffer(m.value),
  ...(m.headers ? { headers: headersFor(m.headers) } : {}),
  ...(m.timestamp !== undefined ? { timestamp: String(m.timestamp) } : {}),
  ...(m.partition !== undefined ? { partition: m.partition } : {}),
});

class KafkaLogProducer implements LogProducer {
  constructor(private readonly producer: Producer) {}

  async send(topic: string, messages: readonly LogMessage[]): Promise<void> {
    for (const chunk of requestChunks(messages)) {
      await this.producer.send({ topic, acks: -1, messages: chunk.map(toKafkaMessage) });
    }
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

class KafkaLogConsumer implements LogConsumer {
  private readonly consumer: Consumer;
  private owned = new Map<string, TopicPartition>();
  /** Assignment changes, applied in order before any later batch. */
  private changes: Promise<void> = Promise.resolve();

  constructor(
    kafka: Kafka,
    private readonly admin: () => Promise<Admin>,
    private readonly groupId: string,
    private readonly topics: readonly string[],
    timing: NonNullable<KafkaTransportOptions['consumer']>,
  ) {
    this.consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, ...timing });
  }

  async run(handlers: ConsumerHandlers): Promise<void> {
    const { consumer } = this;
    // KafkaJS has no revocation callback: the new assignment arrives with GROUP_JOIN, and the partitions
    // that left it are revoked then, before any batch of the new generation is handled.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const now = new Map<string, TopicPartition>();
      for (const [topic, list] of Object.entries(payload.memberAssignment)) {
        for (const partition of list) now.set(partitionKey({ topic, partition }), { topic, partition });
      }
      const revoked = [...this.owned].filter(([k]) => !now.has(k)).map(([, tp]) => tp);
      const assigned = [...now].filter(([k]) => !this.owned.has(k)).map(([, tp]) => tp);
      this.owned = now;
      this.changes = this.changes.then(async () => {
        try {
          if (revoked.length > 0) await handlers.revoked(revoked);
          if (assigned.length > 0) await handlers.assigned(assigned);
        } catch (error) {
          // Processing partitions whose state could not be restored would lose it: stop for good.
          handlers.crashed(error);
          await consumer.stop();
        }
      });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) handlers.crashed(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.topics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat, isStale }) => {
        await this.changes;
        if (isStale() || batch.messages.length === 0) return;
        const records: LogRecord[] = batch.messages.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key,
          value: m.value,
          headers: headersOf(m.headers),
          timestamp: Number(m.timestamp),
        }));
        const logBatch: LogBatch = {
          topic: batch.topic,
          partition: batch.partition,
          records,
          highWatermark: batch.highWatermark,
        };
        await handlers.batch(logBatch);
        await heartbeat();
      },
    });
  }

  seek(partition: TopicPartition, offset: string): void {
    this.consumer.seek({ topic: partition.topic, partition: partition.partition, offset });
  }

  pause(partitions: readonly TopicPartition[]): void {
    this.consumer.pause(byTopic(partitions));
  }

  resume(partitions: readonly TopicPartition[]): void {
    this.consumer.resume(byTopic(partitions));
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.consumer.commitOffsets(
      offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
    );
  }

  async committed(topic: string): Promise<readonly TopicPartitionOffset[]> {
    const admin = await this.admin();
    const [found] = await admin.fetchOffsets({ groupId: this.groupId, topics: [topic] });
    return (found?.partitions ?? [])
      .filter((p) => p.offset !== '-1')
      .map((p) => ({ topic, partition: p.partition, offset: p.offset }));
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

const byTopic = (partitions: readonly TopicPartition[]): { topic: string; partitions: number[] }[] => {
  const topics = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = topics.get(topic) ?? [];
    list.push(partition);
    topics.set(topic, list);
  }
  return [...topics].map(([topic, list]) => ({ topic, partitions: list }));
};

/**
 * Reads one partition from `fromOffset` to the end it had when the read began. KafkaJS consumers only
 * read through a group, so a throwaway group reads the topic, positioned on the one partition, and is
 * deleted afterwards.
 */
/** A read that has received nothing from its partition for this long is given up and begun again. */
const READ_STALL_MS = 15_000;
const READ_ATTEMPTS = 3;

/** A partition read that stopped receiving records before it reached the end. */
class StalledRead extends Error {}

/**
 * Reads one partition from `fromOffset` to the end it had when the read began, through a throwaway
 * consumer group. KafkaJS can move such a consumer off its position (an "offset out of range" answer
 * from a broker still loading resets it) and then never deliver the rest: a read that receives nothing
 * for {@link READ_STALL_MS} begins again, up to {@link READ_ATTEMPTS} times.
 */
async function readPartition(
  kafka: Kafka,
  adminClient: () => Promise<Admin>,
  topic: string,
  partition: number,
  fromOffset = '0',
): Promise<readonly LogRecord[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readPartitionOnce(kafka, adminClient, topic, partition, fromOffset);
    } catch (error) {
      if (!(error instanceof StalledRead) || attempt >= READ_ATTEMPTS) throw error;
    }
  }
}

async function readPartitionOnce(
  kafka: Kafka,
  adminClient: () => Promise<Admin>,
  topic: string,
  partition: number,
  fromOffset: string,
): Promise<readonly LogRecord[]> {
  const admin = await adminClient();
  const ends = await admin.fetchTopicOffsets(topic);
  const end = ends.find((o) => o.partition === partition);
  if (end === undefined) throw new Error(`topic ${topic} has no partition ${partition}`);
  const low = BigInt(end.low);
  const from = BigInt(fromOffset) > low ? BigInt(fromOffset) : low;
  if (from >= BigInt(end.high)) return [];
  const groupId = `tributary-restore-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const records: LogRecord[] = [];
  let progressAt = Date.now();
  let watchdog: ReturnType<typeof setInterval> | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const done = new Promise<void>((resolve, reject) => {
      watchdog = setInterval(() => {
        if (Date.now() - progressAt > READ_STALL_MS) {
          reject(new StalledRead(`reading ${topic}/${partition}: nothing received for ${READ_STALL_MS} ms`));
        }
      }, 1_000);
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (batch.partition !== partition) return;
            progressAt = Date.now();
            for (const m of batch.messages) {
              if (BigInt(m.offset) >= BigInt(end.high)) break;
              records.push({
                topic,
                partition,
                offset: m.offset,
                key: m.key,
                value: m.value,
                headers: headersOf(m.headers),
                timestamp: Number(m.timestamp),
              });
            }
            if (BigInt(batch.lastOffset()) + 1n >= BigInt(end.high)) resolve();
          },
        })
        .catch(reject);
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      consumer.pause(
        ends.filter((o) => o.partition !== partition).map((o) => ({ topic, partitions: [o.partition] })),
      );
      consumer.seek({ topic, partition, offset: String(from) });
    });
    await done;
  } finally {
    clearInterval(watchdog);
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return records;
}
