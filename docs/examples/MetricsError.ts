import { MemoryMetrics, MetricsError } from '../../src/metrics/index.js';

const metrics = new MemoryMetrics();
metrics.counter('trades_total', 'Trades seen, by symbol', ['symbol']);
try {
  metrics.counter('trades_total', 'Trades seen, by symbol and side', ['symbol', 'side']);
} catch (error) {
  if (error instanceof MetricsError) console.log(error.code, error.retriable);
  // METRIC_CONFLICT false
}
