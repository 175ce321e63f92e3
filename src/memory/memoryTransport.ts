import * as E from 'fp-ts/lib/Either.js';
import {
  partitionKey,
  type ConsumerHandlers,
  type LogConsumer,
  type LogProducer,
  type LogRecord,
  type LogTransaction,
  type LogTransport,
  type TopicPartition,
  type TopicPartitionOffset,
} from '../checkpoint/LogTransport.js';
import { TributaryException } from '../core/errors.js';
import type { MemoryLog } from './MemoryLog.js';

const MAX_BATCH = 500;

const id = partitionKey;

/**
 * The in-memory log as a {@link LogTransport}: the embedded default (demos run with no services) and the
 * fast transport for runtime tests. Consumers read committed data only, from the group's committed
 * positions (the beginning without), in batches of up to 500 records per partition.
 *
 * @example
 * ```ts
 * import { MemoryLog, memoryTransport } from 'tributary';
 * const log = new MemoryLog();
 * const transport = memoryTransport(log);
 * ```
 */
export const memoryTransport = (log: MemoryLog): LogTransport => {
  return {
    consumer: (groupId, topics) => new MemoryConsumer(log, groupId, nextMemberId(log), topics),
    producer: async (): Promise<LogProducer> => ({
      send: async (topic, messages) => {
        log.produce(topic, messages);
      },
      close: async () => undefined,
    }),
    ensureTopics: async (specs) => {
      const existing = new Set(log.topics());
      for (const spec of specs) {
        if (existing.has(spec.topic)) continue;
        const created = log.createTopic(spec.topic, {
          partitions: spec.partitions,
          ...(spec.compacted ? { compacted: true } : {}),
        });
        if (E.isLeft(created)) throw new TributaryException(created.left);
      }
    },
    partitions: async (topic) => log.partitions(topic),
    endOffsets: async (topic) =>
      Array.from({ length: log.partitions(topic) }, (_, partition) => ({
        topic,
        partition,
        offset: log.endOffset(topic, partition),
      })),
    // Transactions in one process are fenced by the check at commit, which nothing can interleave with.
    transactionalProducer: async () => ({
      begin: async () => memoryTransaction(log),
      close: async () => undefined,
    }),
    readPartition: async (topic, partition, fromOffset) => {
      const records: LogRecord[] = [];
      const end = BigInt(log.endOffset(topic, partition));
      let position = fromOffset ?? log.beginningOffset(topic, partition);
      while (BigInt(position) < end) {
        const fetched = log.fetch(topic, partition, position, MAX_BATCH);
        records.push(...fetched.records);
        if (fetched.nextOffset === position) break;
        position = fetched.nextOffset;
      }
      return records;
    },
    close: async () => undefined,
  };
};

interface Owned extends TopicPartition {
  position: string;
  paused: boolean;
  readonly unsubscribe: () => void;
}

/** A transaction on the log whose offset commits are checked against the member's assignment when it commits. */
const memoryTransaction = (log: MemoryLog): LogTransaction => {
  const tx = log.transaction();
  const fences: { consumer: MemoryConsumer; offsets: readonly TopicPartitionOffset[] }[] = [];
  return {
    send: async (topic, messages) => {
      tx.produce(topic, messages);
    },
    commitOffsets: async (consumer, offsets) => {
      if (!(consumer instanceof MemoryConsumer)) throw new Error('not a consumer of this transport');
      tx.commitOffsets(consumer.group, offsets);
      fences.push({ consumer, offsets });
    },
    commit: async () => {
      try {
        for (const { consumer, offsets } of fences) consumer.assertOwns(offsets);
      } catch (error) {
        tx.abort();
        throw error;
      }
      tx.commit();
    },
    abort: async () => {
      if (tx.state === 'open') tx.abort();
    },
  };
};

/** Members joined per log: ids stay unique when several transports (applications) share one log. */
const members = new WeakMap<MemoryLog, number>();
const nextMemberId = (log: MemoryLog): string => {
  const n = (members.get(log) ?? 0) + 1;
  members.set(log, n);
  return `member-${n}`;
};

/** A consumer-group member that pulls from the log and sleeps until something changes. */
class MemoryConsumer implements LogConsumer {
  private readonly owned = new Map<string, Owned>();
  private changes: Promise<void> = Promise.resolve();
  private running = false;
  private leave: (() => void) | undefined;
  private wake: () => void = () => undefined;

  constructor(
    private readonly log: MemoryLog,
    private readonly groupId: string,
    private readonly memberId: string,
    private readonly topics: readonly string[],
  ) {}

  async run(handlers: ConsumerHandlers): Promise<void> {
    this.running = true;
    // The log calls back synchronously, revocations first; handlers run in that order, before any batch.
    this.leave = this.log.join(this.groupId, this.memberId, this.topics, {
      revoked: (partitions) => {
        for (const tp of partitions) {
          this.owned.get(id(tp))?.unsubscribe();
          this.owned.delete(id(tp));
        }
        this.changes = this.changes.then(() => handlers.revoked(partitions));
        this.wake();
      },
      assigned: (partitions) => {
        for (const tp of partitions) this.own(tp);
        this.changes = this.changes.then(() => handlers.assigned(partitions));
        this.wake();
      },
    });
    this.loop(handlers).catch((error: unknown) => {
      this.running = false;
      handlers.crashed(error);
    });
  }

  seek(partition: TopicPartition, offset: string): void {
    const owned = this.owned.get(id(partition));
    if (owned) owned.position = offset;
    this.wake();
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const owned = this.owned.get(id(tp));
      if (owned) owned.paused = true;
    }
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const owned = this.owned.get(id(tp));
      if (owned) owned.paused = false;
    }
    this.wake();
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.assertOwns(offsets);
    this.log.commitOffsets(this.groupId, offsets);
  }

  /** Throws unless this member owns every partition of `offsets` (the fence of a commit). */
  assertOwns(offsets: readonly TopicPartitionOffset[]): void {
    const lost = offsets.filter((o) => !this.owned.has(id(o)));
    if (lost.length > 0) {
      throw new Error(
        `cannot commit partitions this member does not own: ${lost.map((o) => `${o.topic}/${o.partition}`).join(', ')}`,
      );
    }
  }

  get group(): string {
    return this.groupId;
  }

  async committed(topic: string): Promise<readonly TopicPartitionOffset[]> {
    return this.log.committedOffsets(this.groupId, topic);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.leave?.();
    this.leave = undefined;
    this.wake();
    await this.changes;
  }

  private own(tp: TopicPartition): void {
    const committed = this.log
      .committedOffsets(this.groupId, tp.topic)
      .find((o) => o.partition === tp.partition);
    const position = committed?.offset ?? this.log.beginningOffset(tp.topic, tp.partition);
    this.owned.set(id(tp), {
      ...tp,
      position,
      paused: false,
      unsubscribe: this.log.subscribe(
        tp.topic,
        tp.partition,
        this.log.endOffset(tp.topic, tp.partition),
        () => this.wake(),
      ),
    });
  }

  private async loop(handlers: ConsumerHandlers): Promise<void> {
    while (this.running) {
      const asleep = new Promise<void>((resolve) => (this.wake = resolve));
      await this.changes;
      let progressed = false;
      for (const owned of [...this.owned.values()]) {
        if (!this.running || owned.paused || !this.owned.has(id(owned))) continue;
        const fetched = this.log.fetch(owned.topic, owned.partition, owned.position, MAX_BATCH);
        if (fetched.records.length > 0) {
          await handlers.batch(fetched);
          progressed = true;
        }
        owned.position = fetched.nextOffset;
      }
      if (!progressed) await asleep;
    }
  }
}
