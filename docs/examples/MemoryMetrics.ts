import { MemoryMetrics, metricNames } from '../../src/metrics/index.js';

const metrics = new MemoryMetrics();
const { name, help, labelNames, buckets } = metricNames.checkpointDuration;
const checkpoints = metrics.histogram(name, help, labelNames, buckets);
checkpoints.observe(0.02);
checkpoints.observe(0.3);

console.log(metrics.count(name), metrics.sum(name));
// 2 0.32
console.log(metrics.buckets(name).find((b) => b.le === 0.25));
// { le: 0.25, count: 1 }
