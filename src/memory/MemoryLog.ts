import * as E from 'fp-ts/lib/Either.js';
import type { LogMessage, TopicPartitionOffset } from '../checkpoint/LogTransport.js';
import { configError, raise, type Origin, type TributaryError } from '../core/errors.js';
import type { FetchResult, Isolation } from './FetchResult.js';
import { GroupCoordinator, type GroupListener } from './GroupCoordinator.js';
import {
  badOffset,
  badPartitionCount,
  badRecord,
  badTopicName,
  memberExists,
  notCompacted,
  offsetOutOfRange,
  parseOffset,
  topicExists,
  transactionClosed,
  unknownPartition,
  unknownTopic,
} from './logErrors.js';
import { partitionForKey } from './partitionForKey.js';
import { PartitionLog, type Appendable, type TransactionStatus } from './PartitionLog.js';
import { rethrowLater } from './rethrowLater.js';

/** Options of a {@link MemoryLog}. */
export interface MemoryLogOptions {
  /** Stamps records produced without a timestamp (ms since the epoch); `Date.now` by default. */
  readonly now?: () => number;
}

/** Settings of a topic, fixed when it is created. */
export interface TopicOptions {
  /** A positive integer. */
  readonly partitions: number;
  /** A compacted topic needs a key on every record; {@link MemoryLog.compact} keeps the last one per key. */
  readonly compacted?: boolean;
}

/**
 * A transaction of a {@link MemoryLog}: records it produces and offsets it commits become visible together
 * on {@link commit}, and never if it aborts. Its records take their offsets when produced (as in Kafka), but
 * `read_committed` readers cannot read past the first of them until the transaction ends; `read_uncommitted`
 * readers see them at once, and keep seeing them if it aborts.
 */
export interface MemoryTransaction {
  readonly state: 'open' | 'committed' | 'aborted';
  /** Like {@link MemoryLog.produce}, inside the transaction. */
  produce(topic: string, messages: readonly LogMessage[]): Origin[];
  /** Like {@link MemoryLog.commitOffsets}; the offsets are committed only if the transaction commits. */
  commitOffsets(group: string, offsets: readonly TopicPartitionOffset[]): void;
  /** Makes every record and offset of the transaction visible at once. */
  commit(): void;
  /** Discards the transaction: its records stay hidden from `read_committed` readers forever. */
  abort(): void;
}

interface Topic {
  readonly name: string;
  readonly compacted: boolean;
  readonly partitions: readonly PartitionLog[];
  readonly subscribers: readonly Set<Subscription>[];
  /** The partition the next record without key and partition goes to. */
  roundRobin: number;
}

interface Subscription {
  readonly topic: Topic;
  readonly log: PartitionLog;
  readonly isolation: Isolation;
  readonly onRecords: (batch: FetchResult) => void;
  position: number;
  closed: boolean;
}

interface CheckedCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

const DEFAULT_MAX_RECORDS = 500;
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const NO_HEADERS: Readonly<Record<string, Uint8Array>> = Object.freeze({});
const utf8 = new TextEncoder();

const isBytesOrNull = (x: unknown): x is Uint8Array | null => x === null || x instanceof Uint8Array;

/** Header values as bytes: strings are UTF-8 encoded, as a Kafka client does. */
const bytesHeaders = (
  headers: Readonly<Record<string, Uint8Array | string>> | undefined,
): Readonly<Record<string, Uint8Array>> => {
  if (headers === undefined) return NO_HEADERS;
  let out: Record<string, Uint8Array> | undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') {
      out ??= { ...(headers as Record<string, Uint8Array>) };
      out[name] = utf8.encode(value);
    } else if (!(value instanceof Uint8Array)) {
      raise(badRecord(`headers.${name}`, `header '${name}' must be a Uint8Array or a string`));
    }
  }
  return out ?? (headers as Readonly<Record<string, Uint8Array>>);
};

/**
 * An in-process log with Kafka's semantics: topics of partitions holding records at consecutive offsets,
 * Kafka's default key partitioner, compacted topics, consumer groups with committed offsets and
 * cooperative rebalancing, live tailing, and transactions with `read_committed` readers. It is the
 * embedded transport (demos need no services) and the fast one for runtime tests. Pure TypeScript with no
 * I/O and no timers; time enters only through the `now` option.
 *
 * Records are bytes in, bytes out: serdes live elsewhere. The log keeps the byte arrays it is given and
 * hands the same ones to every reader, so neither side may modify them afterwards.
 *
 * Offsets are strings of decimal digits, as in KafkaJS and in a record's `Origin`: Kafka offsets are 64-bit
 * and a `number` cannot hold all of them, and one representation across the memory and Kafka transports
 * means the runtime never converts. Commit `nextOffset` (the next record to read), as Kafka does.
 *
 * Misuse — an unknown topic or partition, an offset out of range, a malformed message, a closed
 * transaction — throws a {@link TributaryException} whose `error.field` names the argument at fault. A
 * call that throws has changed nothing.
 *
 * @example
 * ```ts
 * import { MemoryLog } from 'tributary';
 * const log = new MemoryLog();
 * log.createTopic('trades', { partitions: 3 });
 * const bytes = (s: string) => new TextEncoder().encode(s);
 * const [position] = log.produce('trades', [{ key: bytes('BTCUSDT'), value: bytes('64000.5') }]);
 * log.fetch('trades', position!.partition, '0').records.length; // 1
 * ```
 */
export class MemoryLog {
  private readonly now: () => number;
  private readonly byName = new Map<string, Topic>();
  private readonly groups = new GroupCoordinator(
    () => new Map([...this.byName.values()].map((t) => [t.name, t.partitions.length])),
  );
  private readonly due = new Set<Subscription>();
  private delivery: Promise<void> | undefined;

  constructor(options: MemoryLogOptions = {}) {
    this.now = options.now ?? (() => Date.now());
  }

  // ---- topics ------------------------------------------------------------------------------------------

  /**
   * Creates a topic. Fails with a `CONFIG_INVALID` error naming the field — `topic` for a name Kafka would
   * reject or that is taken, `partitions`, `compacted` — and creates nothing. Consumer groups subscribed
   * to the name rebalance to include it.
   *
   * @example
   * ```ts
   * import * as E from 'fp-ts/lib/Either.js';
   * import { MemoryLog } from 'tributary';
   * const log = new MemoryLog();
   * log.createTopic('app-candles-changelog', { partitions: 6, compacted: true }); // Right(undefined)
   * const again = log.createTopic('app-candles-changelog', { partitions: 6 });
   * E.isLeft(again) && again.left.field; // 'topic'
   * ```
   */
  createTopic(name: string, options: TopicOptions): E.Either<TributaryError, void> {
    if (typeof name !== 'string' || !TOPIC_NAME.test(name) || name === '.' || name === '..') {
      return E.left(badTopicName(name));
    }
    const { partitions, compacted = false } = options;
    if (!Number.isSafeInteger(partitions) || partitions < 1) return E.left(badPartitionCount(partitions));
    if (typeof compacted !== 'boolean') {
      return E.left(configError('compacted', `must be a boolean, got ${JSON.stringify(compacted)}`));
    }
    if (this.byName.has(name)) return E.left(topicExists(name));
    this.byName.set(name, {
      name,
      compacted,
      partitions: Array.from({ length: partitions }, (_, p) => new PartitionLog(name, p)),
      subscribers: Array.from({ length: partitions }, () => new Set<Subscription>()),
      roundRobin: 0,
    });
    this.groups.topicChanged(name);
    return E.right(undefined);
  }

  /**
   * Deletes a topic with its records and every group's committed offsets for it; its subscriptions end
   * and group members lose its partitions (`revoked`). Returns whether the topic existed.
   *
   * @example
   * ```ts
   * import { MemoryLog } from 'tributary';
   * const log = new MemoryLog();
   * log.createTopic('scratch', { partitions: 1 });
   * log.deleteTopic('scratch'); // true
   * log.deleteTopic('scratch'); // false
   * ```
   */
  deleteTopic(name: string): boolean {
    const topic = this.byName.get(name);
    if (topic === undefined) return false;
    this.byName.delete(name);
    for (const subscribers of topic.subscribers) {
      for (const s of subscribers) this.close(s);
    }
    this.groups.forgetTopic(name);
    this.groups.topicChanged(name);
    return true;
  }

  /**
   * The names of the topics, sorted.
   *
   * @example
   * ```ts
   * import { MemoryLog } from 'tributary';
   * const log = new MemoryLog();
   * log.createTopic('trades', { partitions: 1 });
   * log.topics(); // ['trades']
   * ```
   */
  topics(): string[] {
    return [...this.byName.keys()].sort();
  }

  /**
   * The number of partitions of a topic.
   *
   * @example
   * ```ts
   * import { MemoryLog } from 'tributary';
   * const log = new MemoryLog();
   * log.createTopic('trades', { partitions: 6 });
   * log.partitions('trades'); // 6
   * ```
   */
  partitions(topic: string): number {
    return this.topic(topic).partitions.length;
  }

  // ---- producing ---------------------------------------------------------------------------------------

  /**
   * Appends messages and returns where each one landed, in order. A message goes to its `partition` if it
   * names one, else to Kafka's default partition for its key ({@link partitionForKey}), else (no key) to
   * the topic's partitions in turn. Offsets in a partition are consecutive from 0. A message without a
   * timestamp gets `now()`; string header values are UTF-8 encoded. The batch is checked before anything
   * is appended, so a bad message appends none.
   *
   * @example
   * ```ts
   * import { MemoryLog } from 'tributary';
   * const log = new MemoryLog({ now: () => 1_700_000_000_000 });
   * log.createTopic('trades', { partitions: 2 });
   * log.produce('trades', [
   *   { key: null, value: new Uint8Array([1]), partition: 1 },
   *   { key: null, value: new Uint8Array([2]), partition: 1, headers: { source: 'binance' } },
   * ]);
   * // [{ topic: 'trades', partition: 1, offset: '0' }, { topic: 'trades', partition: 1, offset: '1' }]
   * ```
   */
  produce(topic: string, messages: readonly LogMessage[]): Origin[] {
    return this.append(this.topic(topic), messages, null);
  }

  // ---- reading -----------------------------------------------------------------------------------------

  /**
   * Reads up to `maxRecords` records of a partition from `fromOffset` on (a pull, for readers that pause
   * or poll). `fromOffset` must lie within `[beginningOffset, endOffset]` (the high watermark); at the end
   * offset the batch is empty. Continue from the result's `nextOffset`.
   *
   * @example
   * ```ts
   * import { MemoryLog } from 'tributary';
   * const log = new MemoryLog();
   * log.createTopic('trades', { partitions: 1 });
   * log.produce('trades', [1, 2, 3].map((n) => ({ key: null, value: new Uint8Array([n]) })));
   * const first = log.fetch('trades', 0, '0', 2); // offsets '0' and '1'
   * const rest = log.fetch('trades', 0, first.nextOffset); // offset '2'; rest.nextOffset === '3'
   * ```
   */
  fetch(
    topic: string,
    partition: number,
    fromOffset: string,
    maxRecords: number = DEFAULT_MAX_RECORDS,
    isolation: Isolation = 'read_committed',
  ): FetchResult {
    const log = this.partitionLog(topic, partition);
    const from = this.position(log, fromOffset);
    if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) {
      raise(configError('maxRecords', `must be a positive integer, got ${String(maxRecords)}`));
    }
    return log.read(from, maxRecords, isolation);
  }

  /**
   * The log start offset of a partition: 0 until {@link deleteRecords} moves it. Compaction removes
   * records but not offsets, so it does not move it (as in Kafka).
   *
   * @example
   * ```ts
   * import { MemoryLog } from 'tributary';
   * const log = new MemoryLog();
   * log.createTopic('trades', { partitions: 1 });
   * log.beginningOffset('trades', 0); // '0'
   * ```
   */
  beginningOffset(topic: string, partition: number): string {
    return String(this.partitionLog(topic, partition).beginning);
  }

  /**
   * The end offset of a partition for a reader's isolation: the high watermark (the offset the next record
   * will take) for `read_uncommitted`; for `read_committed`, the default, the last stable offset, which is
   * the high watermark unless a transaction is open on the partition. A reader whose next offset equals it
   * is caught up.
   *
   * @example
   * ```ts
   * import { MemoryLog } from 'tributary';
   * const log = new MemoryLog();
   * log.createTopic('trades', { partitions: 1 });
   * log.produce('trades', [{ key: null, value: null }]);
   * log.endOffset('trades', 0); // '1'
   * ```
   */
  endOffset(topic: string, partition: number, isolation: Isolation = 'read_committed'): string {
    return String(this.partitionLog(topic, partition).endFor(isolation));
  }

  /**
   * Removes the records of a partition before `beforeOffset` and makes it the log start offset (Kafka's
   * `deleteRecords`, which Kafka Streams uses to purge consumed repartition records); `beforeOffset` may
   * be at most the high watermark, and one below the start offset does nothing. Keeps a long-running
   * in-memory pipeline's memory bounded.
   *
   * @example
   * ```ts
   * import { MemoryLog } from 'tributary';
   * const log = new MemoryLog();
   * log.createTopic('trades', { partitions: 1 });
   * log.produce('trades', [{ key: null, value: null }, { key: null, value: null }]);
   * log.deleteRecords('trades', 0, '1');
   * log.beginningOffset('trades', 0); // '1'
   * ```
   */
  deleteRecords(topic: string, partition: number, beforeOffset: string): void {
    const log = this.partitionLog(topic, partition);
    const before = parseOffset(beforeOffset) ?? raise(badOffset('beforeOffset', beforeOffset));
    if (before > log.highWatermark) {
      raise(
        offsetOutOfRange('beforeOffset', topic, partition, beforeOffset, log.beginning, log.highWatermark),
      );
    }
    log.deleteBefore(before);
  }

  /**
   * Compacts a compacted topic now: in each partition, below the last stable offset, only the last
   * record of each key remains, and a key whose last record is a tombstone (a `null` value) disappears;
   * aborted transactional records and transaction markers go too. Offsets do not change, so readers see
   * gaps. Returns the number of entries removed.
   *
   * @example
   * ```ts
   * import { MemoryLog } from 'tributary';
   * const log = new MemoryLog();
   * log.createTopic('app-store-changelog', { partitions: 1, compacted: true });
   * const k = new Uint8Array([1]);
   * log.produce('app-store-changelog', [
   *   { key: k, value: new Uint8Array([1]) },
   *   { key: k, value: new Uint8Array([2]) },
   * ]);
   * log.compact('app-store-changelog'); // 1: offset '1' remains
   * ```
   */
  compact(topic: string): number {
    const t = this.topic(topic);
    if (!t.compacted) raise(notCompacted(topic));
    return t.partitions.reduce((removed, log) => removed + log.compact(), 0);
  }

  /**
   * Tails a partition from `fromOffset`: `onRecords` gets the records already there, then each batch of
   * new ones as they become visible for its isolation (for `read_committed`, when their transaction
   * commits). Returns a function that ends the subscription; a reader that needs to pause ends it and
   * resumes later with {@link fetch} or a new subscription from its `nextOffset`.
   *
   * Deliveries run in a microtask, never inside `produce`: a producer never runs a consumer's code (as with
   * a broker), a subscriber that produces cannot re-enter itself, and the records of many `produce` calls
   * in one synchronous stretch arrive as one batch (up to 500 records each). Each subscriber's batches are
   * in offset order, without gaps or repeats. Tests wait for deliveries with {@link settled}. Records
   * removed by `deleteRecords` before the subscriber reached them are skipped.
   *
   * `onRecords` must not throw; if it does, the subscription ends and the error is rethrown from a
   * microtask, where it surfaces as an uncaught exception.
   *
   * @example
   * ```ts
   * import { MemoryLog, type LogRecord } from 'tributary';
   * const log = new MemoryLog();
   * log.createTopic('trades', { partitions: 1 });
   * const seen: LogRecord[] = [];
   * const unsubscribe = log.subscribe('trades', 0, '0', (batch) => seen.push(...batch.records));
   * log.produce('trades', [{ key: null, value: new Uint8Array([1]) }]);
   * await log.settled(); // seen.length === 1
   * unsubscribe();
   * ```
   */
  subscribe(
    topic: string,
    partition: number,
    fromOffset: string,
    onRecords: (batch: FetchResult) => void,
    isolation: Isolation = 'read_committed',
  ): () => void {
    const t = this.topic(topic);
    const log = this.partitionLog(topic, partition);
    const subscription: Subscription = {
      topic: t,
      log,
      isolation,
      onRecords,
      position: this.position(log, fromOffset),
      closed: false,
    };
    t.subscribers[partition]!.add(subscription);
    this.due.add(subscription);
    this.schedule();
    return () => this.close(subscription);
  }

  /**
   * Resolves once every delivery to subscribers is done, including those caused by records produced
   * during a delivery.
   *
   * @example
   * ```ts
   * import { MemoryLog } from 'tributary';
   * const log = new MemoryLog();
   * await log.settled();
   * ```
   */
  async settled(): Promise<void> {
    while (this.delivery !== undefined) await this.delivery;
  }

  // ---- consumer groups ---------------------------------------------------------------------------------

  /**
   * Commits a consumer group's positions: `offset` is the next record to read, as Kafka commits it. All
   * or nothing: every entry is checked before any is stored.
   *
   * @example
   * ```ts
   * import { MemoryLog } from 'tributary';
   * const log = new MemoryLog();
   * log.createTopic('trades', { partitions: 2 });
   * log.commitOffsets('candles-app', [{ topic: 'trades', partition: 1, offset: '42' }]);
   * log.committedOffsets('candles-app', 'trades'); // [{ topic: 'trades', partition: 1, offset: '42' }]
   * ```
   */
  commitOffsets(group: string, offsets: readonly TopicPartitionOffset[]): void {
    this.groups.commit(group, this.checkCommit(group, offsets));
  }

  /**
   * A consumer group's committed positions for a topic, by partition; partitions without one are absent.
   *
   * @example
   * ```ts
   * import { MemoryLog } from 'tributary';
   * const log = new MemoryLog();
   * log.createTopic('trades', { partitions: 2 });
   * log.committedOffsets('candles-app', 'trades'); // []
   * ```
   */
  committedOffsets(group: string, topic: string): TopicPartitionOffset[] {
    const t = this.topic(topic);
    const out: TopicPartitionOffset[] = [];
    for (let partition = 0; partition < t.partitions.length; partition++) {
      const offset = this.groups.committed(group, topic, partition);
      if (offset !== undefined) out.push({ topic, partition, offset: String(offset) });
    }
    return out;
  }

  /**
   * Adds a member to a consumer group and returns the function by which it leaves. The partitions of the
   * subscribed topics are spread over the members by {@link assignPartitions} (Kafka's range assignor,
   * deterministic), and every join, leave, topic creation or deletion rebalances cooperatively: members
   * are told only what they lose (`revoked`, all of those first) and what they gain (`assigned`), see
   * {@link GroupListener}. The new member's first `assigned` runs before `join` returns; leaving revokes
   * everything it owns before anyone else gets it. Topics that do not exist yet are assigned once created.
   *
   * Membership is separate from reading, as in Kafka: a member reads its partitions itself, e.g. with
   * {@link subscribe} from its committed offsets.
   *
   * @example
   * ```ts
   * import { MemoryLog, type TopicPartition } from 'tributary';
   * const log = new MemoryLog();
   * log.createTopic('trades', { partitions: 6 });
   * const owned: TopicPartition[] = [];
   * const leave = log.join('candles-app', 'instance-1', ['trades'], {
   *   assigned: (partitions) => owned.push(...partitions),
   *   revoked: () => {},
   * });
   * owned.length; // 6
   * leave();
   * ```
   */
  join(group: string, memberId: string, topics: readonly string[], listener: GroupListener): () => void {
    if (typeof group !== 'string' || group.length === 0) {
      raise(configError('group', 'must be a non-empty string'));
    }
    if (typeof memberId !== 'string' || memberId.length === 0) {
      raise(configError('memberId', 'must be a non-empty string'));
    }
    if (!Array.isArray(topics) || !topics.every((t) => typeof t === 'string')) {
      raise(configError('topics', 'must be an array of topic names'));
    }
    if (this.groups.hasMember(group, memberId)) raise(memberExists(group, memberId));
    return this.groups.join(group, memberId, topics, listener);
  }

  // ---- transactions ------------------------------------------------------------------------------------

  /**
   * Starts a transaction (for exactly-once consume-transform-produce): see {@link MemoryTransaction}.
   * Once committed or aborted, every further call on it throws. A transaction left open holds back the
   * last stable offset of every partition it wrote to, so `read_committed` readers wait (Kafka would abort
   * it after `transaction.timeout.ms`; the memory log has no timers).
   *
   * @example
   * ```ts
   * import { MemoryLog } from 'tributary';
   * const log = new MemoryLog();
   * log.createTopic('candles', { partitions: 1 });
   * const tx = log.transaction();
   * tx.produce('candles', [{ key: null, value: new Uint8Array([1]) }]);
   * tx.commitOffsets('candles-app', [{ topic: 'candles', partition: 0, offset: '0' }]);
   * log.fetch('candles', 0, '0').records.length; // 0: not committed yet
   * tx.commit();
   * log.fetch('candles', 0, '0').records.length; // 1
   * ```
   */
  transaction(): MemoryTransaction {
    const status: TransactionStatus = { state: 'open' };
    const written = new Map<PartitionLog, Topic>();
    const commits: { group: string; offsets: readonly CheckedCommit[] }[] = [];
    const check = (operation: string): void => {
      if (status.state !== 'open') raise(transactionClosed(operation, status.state));
    };
    const end = (state: 'committed' | 'aborted'): void => {
      status.state = state;
      for (const log of written.keys()) log.endTransaction(status);
      if (state === 'committed') {
        for (const { group, offsets } of commits) {
          this.groups.commit(
            group,
            offsets.filter((o) => o.partition < (this.byName.get(o.topic)?.partitions.length ?? 0)),
          );
        }
      }
      for (const [log, topic] of written) this.wake(topic, log.partition);
    };
    return {
      get state() {
        return status.state;
      },
      produce: (topic, messages) => {
        check('produce');
        const t = this.topic(topic);
        const origins = this.append(t, messages, status);
        for (const { partition } of origins) written.set(t.partitions[partition]!, t);
        return origins;
      },
      commitOffsets: (group, offsets) => {
        check('commit offsets');
        commits.push({ group, offsets: this.checkCommit(group, offsets) });
      },
      commit: () => {
        check('commit');
        end('committed');
      },
      abort: () => {
        check('abort');
        end('aborted');
      },
    };
  }

  // ---- internals ---------------------------------------------------------------------------------------

  private topic(name: string): Topic {
    return this.byName.get(name) ?? raise(unknownTopic(name));
  }

  private partitionLog(topic: string, partition: number): PartitionLog {
    const t = this.topic(topic);
    const log = Number.isInteger(partition) ? t.partitions[partition] : undefined;
    return log ?? raise(unknownPartition(topic, partition, t.partitions.length));
  }

  /** Parses a reader's offset and checks that it lies within the partition. */
  private position(log: PartitionLog, offset: string): number {
    const n = parseOffset(offset) ?? raise(badOffset('fromOffset', offset));
    if (n < log.beginning || n > log.highWatermark) {
      raise(
        offsetOutOfRange('fromOffset', log.topic, log.partition, offset, log.beginning, log.highWatermark),
      );
    }
    return n;
  }

  private append(t: Topic, messages: readonly LogMessage[], transaction: TransactionStatus | null): Origin[] {
    const count = t.partitions.length;
    const targets: number[] = [];
    const contents: Appendable[] = [];
    let roundRobin = t.roundRobin;
    let now: number | undefined;
    for (const m of messages) {
      if (!isBytesOrNull(m.key)) raise(badRecord('key', 'must be a Uint8Array or null'));
      if (!isBytesOrNull(m.value)) raise(badRecord('value', 'must be a Uint8Array or null'));
      if (t.compacted && m.key === null) {
        raise(badRecord('key', `compacted topic '${t.name}' cannot accept a record without a key`));
      }
      if (m.timestamp !== undefined && !Number.isFinite(m.timestamp)) {
        raise(badRecord('timestamp', `must be a finite number of ms since the epoch, got ${m.timestamp}`));
      }
      if (m.partition !== undefined) {
        if (!Number.isInteger(m.partition) || m.partition < 0 || m.partition >= count) {
          raise(unknownPartition(t.name, m.partition, count));
        }
        targets.push(m.partition);
      } else if (m.key !== null) {
        targets.push(partitionForKey(m.key, count));
      } else {
        targets.push(roundRobin);
        roundRobin = (roundRobin + 1) % count;
      }
      contents.push({
        key: m.key,
        value: m.value,
        headers: bytesHeaders(m.headers),
        timestamp: m.timestamp ?? (now ??= this.now()),
      });
    }
    t.roundRobin = roundRobin;
    const origins = contents.map((content, i): Origin => {
      const { topic, partition, offset } = t.partitions[targets[i]!]!.append(content, transaction);
      return { topic, partition, offset };
    });
    for (const partition of new Set(targets)) this.wake(t, partition);
    return origins;
  }

  private checkCommit(group: string, offsets: readonly TopicPartitionOffset[]): CheckedCommit[] {
    if (typeof group !== 'string' || group.length === 0) {
      raise(configError('group', 'must be a non-empty string'));
    }
    return offsets.map(({ topic, partition, offset }) => {
      this.partitionLog(topic, partition);
      const n = parseOffset(offset);
      return {
        topic,
        partition,
        offset: n !== undefined && Number.isSafeInteger(n) ? n : raise(badOffset('offset', offset)),
      };
    });
  }

  /** Marks a partition's subscribers for delivery. */
  private wake(t: Topic, partition: number): void {
    const subscribers = t.subscribers[partition]!;
    if (subscribers.size === 0) return;
    for (const s of subscribers) this.due.add(s);
    this.schedule();
  }

  private schedule(): void {
    this.delivery ??= Promise.resolve().then(() => this.deliver());
  }

  private deliver(): void {
    this.delivery = undefined;
    const due = [...this.due];
    this.due.clear();
    for (const s of due) {
      while (!s.closed) {
        const batch = s.log.read(s.position, DEFAULT_MAX_RECORDS, s.isolation);
        s.position = Number(batch.nextOffset);
        if (batch.records.length === 0) break;
        try {
          s.onRecords(batch);
        } catch (error) {
          this.close(s);
          rethrowLater(error);
        }
      }
    }
  }

  private close(s: Subscription): void {
    s.closed = true;
    s.topic.subscribers[s.log.partition]!.delete(s);
    this.due.delete(s);
  }
}
