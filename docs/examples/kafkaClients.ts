import { Application, kafkaTransport, platformaticTransport, type LogTransport } from '../../src/index.js';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const timing = { sessionTimeout: 10_000, heartbeatInterval: 1_000 };

// Either client behind the same runtime: pick one per deployment, the pipeline does not change.
export const transport: LogTransport =
  process.env.KAFKA_CLIENT === 'kafkajs'
    ? kafkaTransport({ brokers, consumer: timing })
    : platformaticTransport({ brokers, consumer: { ...timing, maxWaitTime: 500 } });

export const app = new Application({ applicationId: 'candles', transport });
