import { Registry } from 'prom-client';
import { promMetrics, serveMetrics } from '../../src/metrics/index.js';

const registry = new Registry();
promMetrics(registry)
  .gauge('build_info', 'Always 1, labelled with the version', ['version'])
  .set({ version: '0.1.0' }, 1);

const server = await serveMetrics({ port: 0, registry });
const response = await fetch(`${server.url}/metrics`);
console.log(response.headers.get('content-type'));
// text/plain; version=0.0.4; charset=utf-8
console.log((await response.text()).split('\n')[2]);
// build_info{version="0.1.0"} 1
await server.close();
