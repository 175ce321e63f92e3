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
