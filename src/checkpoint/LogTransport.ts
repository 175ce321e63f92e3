/**
 * What the runtime needs from a partitioned log: Apache Kafka (`src/kafka/`) and the in-memory log
 * (`src/memory/`) both provide it, so the commit protocol is written once, against this interface.
 */

/** A partition of a topic. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** A string that identifies a partition, for maps and sets keyed by partition. */
export const partitionKey = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

/** A position in a partition: `offset` is the next record to read, as Kafka commits it. */
export interface TopicPartitionOffset extends TopicPartition {
  readonly offset: string;
}

/** A record to append. Without `partition`, the log picks one from the key (Kafka's default partitioner). */
export interface LogMessage {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers?: Readonly<Record<string, Uint8Array | string>>;
  /** Ms since the epoch; the log's append time when absent. */
  readonly timestamp?: number;
  readonly partition?: number;
}

/** A record read from a partition. */
export interface LogRecord extends TopicPartition {
  readonly offset: string;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: Readonly<Record<string, Uint8Array>>;
  readonly timestamp: number;
}

/** Consecutive records of one partition, as a fetch returned them. */
export interface LogBatch extends TopicPartition {
  readonly records: readonly LogRecord[];
  /**
   * The partition's end offset when the batch was fetched. The reader is caught up when its next offset
   * reaches it (not "last offset + 1": transaction markers and compaction leave gaps in offsets).
   */
  readonly highWatermark: string;
}

/** What a consumer calls while it runs. Each call is awaited before the next one. */
export interface ConsumerHandlers {
  /** Partitions this member now owns; resolve once their state is restored, before their first batch. */
  assigned(partitions: readonly TopicPartition[]): Promise<void>;
  /** Partitions this member no longer owns; no batch of theirs follows. */
  revoked(partitions: readonly TopicPartition[]): Promise<void>;
  batch(batch: LogBatch): Promise<void>;
  /** The consumer stopped for good: a handler rejected, or the client gave up. */
  crashed(error: unknown): void;
}

/** A member of a consumer group. Offsets are committed only by {@link LogConsumer.commit}. */
export interface LogConsumer {
  /** Joins the group and delivers batches until {@link stop}; resolves once it is running. */
  run(handlers: ConsumerHandlers): Promise<void>;
  /** Reads an owned partition from `offset` on (after restoring state that includes what precedes it). */
  seek(partition: TopicPartition, offset: string): void;
  /** Stops fetching from these partitions (back-pressure) until {@link resume}. */
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  /** Commits positions for the group; rejects when this member lost the partitions (a rebalance). */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** The group's committed positions for a topic (partitions without one are absent). */
  committed(topic: string): Promise<readonly TopicPartitionOffset[]>;
  /** Leaves the group. */
  stop(): Promise<void>;
}

/** Appends records. `send` resolves when the log acknowledged them. */
export interface LogProducer {
  send(topic: string, messages: readonly LogMessage[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * One transaction of a {@link TransactionalProducer}: the records it sends and the consumer positions it
 * commits become visible together when it commits, and never if it aborts (`read_committed` readers).
 */
export interface LogTransaction {
  send(topic: string, messages: readonly LogMessage[]): Promise<void>;
  /**
   * Commits the consumer's positions with the transaction. The commit is fenced by the consumer's group
   * membership: once the group has moved the partitions to another member, the transaction fails.
   */
  commitOffsets(consumer: LogConsumer, offsets: readonly TopicPartitionOffset[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** A producer whose records go out in transactions, one at a time. */
export interface TransactionalProducer {
  begin(): Promise<LogTransaction>;
  close(): Promise<void>;
}

/** Topic settings for {@link LogTransport.ensureTopics}. */
export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** A compacted topic keeps the last record per key (state changelogs). */
  readonly compacted?: boolean;
}

/** A connection to a partitioned log. */
export interface LogTransport {
  /** A new consumer-group member reading `topics` from the committed positions (the beginning without). */
  consumer(groupId: string, topics: readonly string[]): LogConsumer;
  producer(): Promise<LogProducer>;
  /**
   * A transactional producer, for exactly-once processing; absent when the client cannot commit consumer
   * positions in a transaction fenced by the group's generation (KIP-447).
   */
  transactionalProducer?(transactionalId: string): Promise<TransactionalProducer>;
  /** Creates the topics that do not exist; existing ones are left as they are. */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /** Number of partitions of a topic; 0 (or a rejection) when it does not exist. */
  partitions(topic: string): Promise<number>;
  /** Each partition's end offset (the offset the next record appended will get). */
  endOffsets(topic: string): Promise<readonly TopicPartitionOffset[]>;
  /** Every record of one partition from `fromOffset` to its current end (restoring a changelog). */
  readPartition(topic: string, partition: number, fromOffset?: string): Promise<readonly LogRecord[]>;
  close(): Promise<void>;
}
