/**
 * Stands in for the package entry (`'tributary'`) in the examples, until `src/index.ts` exports the
 * metrics layer: the documentation shows these examples with `from 'tributary'`.
 */
export { createLogger, type Logger, type LoggerOptions } from '../../../../src/metrics/createLogger.js';
export { MemoryMetrics } from '../../../../src/metrics/MemoryMetrics.js';
export { metricNames, type MetricDefinition } from '../../../../src/metrics/metricNames.js';
export {
  noopMetrics,
  type Counter,
  type Gauge,
  type Histogram,
  type Labels,
  type MetricKind,
  type Metrics,
} from '../../../../src/metrics/Metrics.js';
export { MetricsError, type MetricsErrorCode } from '../../../../src/metrics/MetricsError.js';
export { promMetrics } from '../../../../src/metrics/promMetrics.js';
export {
  serveMetrics,
  type MetricsServer,
  type ServeMetricsOptions,
} from '../../../../src/metrics/serveMetrics.js';
export {
  standardMetrics,
  type MetricHandle,
  type StandardMetrics,
} from '../../../../src/metrics/standardMetrics.js';
