import { createLogger } from '../../src/metrics/index.js';

const log = createLogger({ app: 'crypto-analytics', name: 'kafka-source' });
log.info(
  {
    kafka: {
      brokers: ['localhost:9092'],
      sasl: { mechanism: 'plain', username: 'app', password: 'hunter2' },
    },
  },
  'connecting',
);
// {"level":30,"time":1723161600000,"app":"crypto-analytics","pid":4242,"name":"kafka-source",
//  "kafka":{"brokers":["localhost:9092"],"sasl":"[redacted]"},"msg":"connecting"}   (one line)
