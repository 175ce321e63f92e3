import { Registry } from 'prom-client';
import { promMetrics, serveMetrics, standardMetrics } from '../../src/metrics/index.js';

const registry = new Registry();
const metrics = standardMetrics(promMetrics(registry));

metrics.recordsIn.inc({ operator: 'source', topic: 'binance.trades' }, 500);
metrics.consumerLag.set({ topic: 'binance.trades', partition: 0 }, 42);
metrics.checkpointDuration.observe(0.031);

// In production a fixed port (9464 is the usual one for exporters) and host '0.0.0.0' to be scraped from
// another machine or container; 0 picks a free port.
const server = await serveMetrics({ port: 0, registry });
const text = await (await fetch(`${server.url}/metrics`)).text();
console.log(text.split('\n').filter((line) => line.startsWith('tributary_consumer_lag')));
// [ 'tributary_consumer_lag_records{topic="binance.trades",partition="0"} 42' ]
await server.close();
