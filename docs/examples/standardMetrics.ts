import { MemoryMetrics, metricNames, standardMetrics } from '../../src/metrics/index.js';

const registry = new MemoryMetrics();
const metrics = standardMetrics(registry);
metrics.consumerLag.set({ topic: 'trades', partition: 0 }, 1_200);
metrics.diverted.inc({ operator: 'candles', reason: 'late' });

console.log(registry.value(metricNames.consumerLag.name, { topic: 'trades', partition: 0 }));
// 1200
