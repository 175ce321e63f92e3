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

const Trade = t.type({ s: t.string, p: NumberFromString, T: t.number });
type Trade = t.TypeOf<typeof Trade>;

// With a broker: platformaticTransport({ brokers: ['127.0.0.1:19092'] }).
const log = new MemoryLog();
log.createTopic('trades', { partitions: 1 });
log.createTopic('trades-per-minute', { partitions: 1 });

const app = new Application({
  applicationId: 'trades-per-minute',
  transport: memoryTransport(log),
  processingGuarantee: 'exactly-once', // each checkpoint is one transaction
});
const trades = app.source({ topic: 'trades', value: json(Trade), timestamp: fromField((x: Trade) => x.T) });
app.to(
  trades
    .selectKey((trade) => trade.s)
    .window(tumbling('1m'))
    .aggregate(aggregators.count()),
  app.topicSink('trades-per-minute', { key: json(t.string), value: json(t.unknown) }),
);
await app.start();

const trade = (T: number) => ({
  key: null,
  value: new TextEncoder().encode(JSON.stringify({ s: 'BTCUSDT', p: '1', T })),
});
log.produce('trades', [trade(1_000), trade(2_000), trade(61_000)]);
await app.caughtUp();
// Emitted, but not visible to read_committed readers before the checkpoint's transaction commits.
export const beforeCheckpoint = log.fetch('trades-per-minute', 0, '0').records.length; // 0
await app.checkpoint();
export const afterCheckpoint = log.fetch('trades-per-minute', 0, '0').records.length; // 1
await app.stop();
