import { Registry } from 'prom-client';
import { metricNames, promMetrics } from '../../src/metrics/index.js';

const registry = new Registry();
const metrics = promMetrics(registry);
const { name, help, labelNames } = metricNames.recordsIn;
metrics.counter(name, help, labelNames).inc({ operator: 'source', topic: 'trades' }, 3);

console.log(await registry.getSingleMetricAsString(name));
// # HELP tributary_records_in_total Records an operator received, by operator and source topic.
// # TYPE tributary_records_in_total counter
// tributary_records_in_total{operator="source",topic="trades"} 3
