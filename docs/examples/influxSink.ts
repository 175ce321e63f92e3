import * as t from 'io-ts';
import {
  aggregators,
  Application,
  fromField,
  json,
  MemoryLog,
  memoryTransport,
  NumberFromString,
  tumbling,
} from '../../src/index.js';
import { influxSink } from '../../src/sinks/influxdb/index.js';

const Trade = t.type({ s: t.string, p: NumberFromString, T: t.number });
type Trade = t.TypeOf<typeof Trade>;

// The embedded log; with a broker: kafkaTransport({ brokers: ['127.0.0.1:19092'] }).
const log = new MemoryLog();
log.createTopic('trades', { partitions: 1 });
log.createTopic('crypto_avg.dlq', { partitions: 1 });

const app = new Application({ applicationId: 'crypto-averages', transport: memoryTransport(log) });
const averages = app
  .source({ topic: 'trades', value: json(Trade), timestamp: fromField((trade: Trade) => trade.T) })
  .selectKey((trade) => trade.s)
  .window(tumbling('30s'))
  .aggregate(aggregators.mean((trade: Trade) => trade.p));

// The connection comes from INFLUX_URL, INFLUX_TOKEN (or INFLUX_TOKEN_FILE), INFLUX_ORG, INFLUX_BUCKET.
app.to(
  averages,
  influxSink({
    point: {
      measurement: 'crypto_avg',
      tags: { symbol: (r) => r.key },
      fields: { average_price: (r) => r.value.value },
      // timestamp: the window's start; precision: 'ms'
    },
    // Results InfluxDB will not store go to a topic, with the reason.
    deadLetters: app.topicSink('crypto_avg.dlq', { key: json(t.string), value: json(t.unknown) }),
  }),
);
await app.start();

const trade = (s: string, p: string, T: number) => ({
  key: new TextEncoder().encode(s),
  value: new TextEncoder().encode(JSON.stringify({ s, p, T })),
});
log.produce('trades', [
  trade('BTCUSDT', '64000.5', Date.UTC(2024, 7, 8, 12, 0, 1)),
  trade('BTCUSDT', '64001.5', Date.UTC(2024, 7, 8, 12, 0, 29)),
  trade('BTCUSDT', '64010', Date.UTC(2024, 7, 8, 12, 1, 0)), // closes the first window
]);
await app.caughtUp();
await app.stop(); // the final checkpoint: every point is stored before the offsets are committed
// crypto_avg,symbol=BTCUSDT average_price=64001 1723118400000
