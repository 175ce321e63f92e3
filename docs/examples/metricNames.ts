import { metricNames } from '../../src/metrics/index.js';

console.log(metricNames.consumerLag.name, metricNames.consumerLag.kind, metricNames.consumerLag.labelNames);
// tributary_consumer_lag_records gauge [ 'topic', 'partition' ]
