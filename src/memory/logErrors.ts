import { configError, type TributaryError } from '../core/errors.js';

/*
 * The failures of the memory log, named as Kafka names them. Core has no codes for them yet, so each is a
 * `CONFIG_INVALID` naming the argument at fault; the Kafka error each one stands for is given so that a
 * code can replace it without touching callers (TOPIC_ALREADY_EXISTS, UNKNOWN_TOPIC_OR_PARTITION,
 * OFFSET_OUT_OF_RANGE, INVALID_RECORD, INVALID_TXN_STATE, MEMBER_ID_IN_USE).
 */

const failure = (field: string, message: string): TributaryError => ({
  _tag: 'TributaryError',
  code: 'CONFIG_INVALID',
  message,
  retriable: false,
  field,
});

/** TOPIC_ALREADY_EXISTS. */
export const topicExists = (topic: string): TributaryError =>
  failure('topic', `topic '${topic}' already exists`);

/** INVALID_TOPIC_EXCEPTION. */
export const badTopicName = (topic: unknown): TributaryError =>
  failure(
    'topic',
    `topic name must be 1 to 249 characters of [a-zA-Z0-9._-], and not '.' or '..', got ${JSON.stringify(topic) ?? String(topic)}`,
  );

/** INVALID_PARTITIONS: a configuration error proper. */
export const badPartitionCount = (partitions: unknown): TributaryError =>
  configError(
    'partitions',
    `must be a positive integer, got ${JSON.stringify(partitions) ?? String(partitions)}`,
  );

/** UNKNOWN_TOPIC_OR_PARTITION. */
export const unknownTopic = (topic: string): TributaryError =>
  failure('topic', `topic '${topic}' does not exist`);

/** UNKNOWN_TOPIC_OR_PARTITION. */
export const unknownPartition = (topic: string, partition: unknown, partitions: number): TributaryError =>
  failure(
    'partition',
    `topic '${topic}' has partitions 0 to ${partitions - 1}, got ${JSON.stringify(partition) ?? String(partition)}`,
  );

/** OFFSET_OUT_OF_RANGE; `field` names the argument. */
export const offsetOutOfRange = (
  field: string,
  topic: string,
  partition: number,
  offset: string,
  beginning: number,
  end: number,
): TributaryError =>
  failure(
    field,
    `offset ${offset} is out of range for ${topic}/${partition}, which holds offsets ${beginning} to ${end}`,
  );

/** Not a Kafka error: offsets travel as strings of decimal digits, as in KafkaJS. */
export const badOffset = (field: string, offset: unknown): TributaryError =>
  failure(
    field,
    `must be an offset: a string of decimal digits up to 2^53 - 1, got ${JSON.stringify(offset) ?? String(offset)}`,
  );

/** INVALID_RECORD. */
export const badRecord = (field: string, problem: string): TributaryError => failure(field, problem);

/** INVALID_REQUEST: compaction of a topic created without `compacted: true`. */
export const notCompacted = (topic: string): TributaryError =>
  failure('topic', `topic '${topic}' is not compacted`);

/** INVALID_TXN_STATE. */
export const transactionClosed = (operation: string, state: string): TributaryError =>
  failure('transaction', `cannot ${operation}: the transaction is already ${state}`);

/** MEMBER_ID_IN_USE (Kafka's closest is FENCED_INSTANCE_ID). */
export const memberExists = (group: string, memberId: string): TributaryError =>
  failure('memberId', `member '${memberId}' is already in group '${group}'`);

/**
 * Parses an offset given as a string of decimal digits (no sign, no leading zeros). Offsets in the memory
 * log stay far below `Number.MAX_SAFE_INTEGER`, so a number holds them exactly; a longer digit string
 * parses to a number that is simply out of range.
 */
export const parseOffset = (offset: unknown): number | undefined =>
  typeof offset === 'string' && /^(0|[1-9][0-9]*)$/.test(offset) ? Number(offset) : undefined;
