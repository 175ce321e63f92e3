/**
 * The InfluxDB sink, imported apart (`tributary/influxdb`) so that pipelines that do not write to InfluxDB
 * never load its client.
 *
 * @packageDocumentation
 */
export type { InfluxConnection } from './InfluxConnection.js';
export {
  influxSink,
  type InfluxSink,
  type InfluxSinkOptions,
  type InfluxSinkStats,
  type RejectedPoint,
  type SinkLogger,
} from './influxSink.js';
export {
  integerField,
  unsignedField,
  type FieldSelector,
  type FieldValue,
  type PointMapping,
  type Precision,
  type TypedField,
} from './PointMapping.js';
export type { RetryOptions } from './RetryPolicy.js';
