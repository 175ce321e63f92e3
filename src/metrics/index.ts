/**
 * Metrics and structured logs, imported apart (`tributary/metrics`) so that pipelines that do not use them
 * never load prom-client, pino or an HTTP server.
 *
 * @packageDocumentation
 */
export { createLogger, type Logger, type LoggerOptions } from './createLogger.js';
export { MemoryMetrics } from './MemoryMetrics.js';
export { metricNames, type MetricDefinition } from './metricNames.js';
export {
  noopMetrics,
  type Counter,
  type Gauge,
  type Histogram,
  type Labels,
  type MetricKind,
  type Metrics,
} from './Metrics.js';
export { MetricsError, type MetricsErrorCode } from './MetricsError.js';
export { promMetrics } from './promMetrics.js';
export { serveMetrics, type MetricsServer, type ServeMetricsOptions } from './serveMetrics.js';
export { standardMetrics, type MetricHandle, type StandardMetrics } from './standardMetrics.js';
