/**
 * Tributary: Kafka Streams-style stream processing for TypeScript.
 *
 * @packageDocumentation
 */
export {
  configError,
  TributaryException,
  type ErrorCode,
  type Origin,
  type TributaryError,
} from './core/errors.js';
export { record, partitionOf, type Headers, type StreamRecord } from './core/StreamRecord.js';
export { Diverted, Watermark, type Chunk, type DivertReason, type Element } from './core/Chunk.js';
export { RunContext, type StateProbe } from './core/RunContext.js';
export {
  KStream,
  WindowedKStream,
  type AggregateOptions,
  type KeyValue,
  type SourceOptions,
} from './core/KStream.js';
export * as Duration from './time/Duration.js';
export type { Duration as DurationInput } from './time/Duration.js';
export { resolveWatermarkOptions, type WatermarkOptions } from './time/WatermarkOptions.js';
export { WatermarkTracker, type WatermarkSettings } from './time/WatermarkTracker.js';
export { fromField, kafkaTimestamp, type TimestampExtractor } from './time/TimestampExtractor.js';
export {
  hopping,
  session,
  sliding,
  tumbling,
  type HoppingWindows,
  type SessionWindows,
  type SlidingWindows,
  type TumblingWindows,
  type WindowOptions,
  type WindowSpec,
} from './windows/WindowSpec.js';
export type { Aggregator } from './windows/Aggregator.js';
export * as aggregators from './windows/aggregators.js';
export type { Candle } from './windows/aggregators.js';
export type { EmitMode, Window, WindowResult } from './windows/WindowResult.js';
export { deadLetterHeaders } from './codecs/deadLetterHeaders.js';
export {
  decodeFailure,
  formatDecodeFailure,
  reportPaths,
  type DecodeFailure,
  type DecodeFailureReason,
} from './codecs/DecodeFailure.js';
export { finiteNumber } from './codecs/finiteNumber.js';
export { json } from './codecs/json.js';
export { NumberFromString } from './codecs/NumberFromString.js';
export { raw } from './codecs/raw.js';
export type { Serde } from './codecs/Serde.js';
export { string } from './codecs/string.js';
export { timestampMs } from './codecs/timestampMs.js';
export {
  MemoryLog,
  type MemoryLogOptions,
  type MemoryTransaction,
  type TopicOptions,
} from './memory/MemoryLog.js';
export type { FetchResult, Isolation } from './memory/FetchResult.js';
export type { GroupListener } from './memory/GroupCoordinator.js';
export { assignPartitions, type GroupMember } from './memory/assignPartitions.js';
export { murmur2 } from './memory/murmur2.js';
export { partitionForKey } from './memory/partitionForKey.js';
export { memoryTransport } from './memory/memoryTransport.js';
export type {
  ConsumerHandlers,
  LogBatch,
  LogConsumer,
  LogMessage,
  LogProducer,
  LogRecord,
  LogTransaction,
  LogTransport,
  TopicPartition,
  TopicPartitionOffset,
  TopicSpec,
  TransactionalProducer,
} from './checkpoint/LogTransport.js';
export {
  Application,
  type AppLogger,
  type ApplicationOptions,
  type DecodeErrorPolicy,
  type ProcessingGuarantee,
  type TopicSourceOptions,
} from './checkpoint/Application.js';
export { kafkaTransport, type KafkaTransportOptions } from './kafka/KafkaTransport.js';
export {
  platformaticTransport,
  type PlatformaticTransportOptions,
} from './platformatic/PlatformaticTransport.js';
export type { Sink } from './sinks/Sink.js';
