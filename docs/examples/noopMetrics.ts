import { noopMetrics } from '../../src/metrics/index.js';

const recordsIn = noopMetrics.counter('records_in_total', 'Records read', ['topic']);
recordsIn.inc({ topic: 'trades' }, 500); // costs nothing, records nothing
