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
  type Sink,
  type StreamRecord,
} from '../../src/index.js';

const Trade = t.type({ s: t.string, p: NumberFromString, T: t.number });
type Trade = t.TypeOf<typeof Trade>;

// The embedded log; with a broker: kafkaTransport({ brokers: ['127.0.0.1:19092'] }).
const log = new MemoryLog();
log.createTopic('trades', { partitions: 2 });

const app = new Application({
  applicationId: 'candles',
  transport: memoryTransport(log),
  commitInterval: '5s',
});
const trades = app.source({
  topic: 'trades',
  value: json(Trade),
  timestamp: fromField((trade: Trade) => trade.T),
  onDecodeError: 'dead-letter', // the default: undecodable records go to `trades.dlq`
});
const perMinute = trades
  .selectKey((trade) => trade.s)
  .window(tumbling('1m'))
  .aggregate(aggregators.count());

export const printed: string[] = [];
const console: Sink<string, { window: { start: number }; value: number }> = {
  name: 'console',
  write: (records: readonly StreamRecord<string, { window: { start: number }; value: number }>[]) => {
    for (const r of records) printed.push(`${r.key} ${r.value.window.start}: ${r.value.value} trades`);
  },
  flush: async () => undefined,
};
app.to(perMinute, console);
await app.start();

const trade = (s: string, T: number) => ({
  key: new TextEncoder().encode(s),
  value: new TextEncoder().encode(JSON.stringify({ s, p: '64000.5', T })),
});
log.produce(
  'trades',
  [trade('BTCUSDT', 1_000), trade('BTCUSDT', 2_000), trade('BTCUSDT', 61_000)].map((m) => ({
    ...m,
    partition: 0,
  })),
);
log.produce('trades', [{ key: null, value: new TextEncoder().encode('not a trade'), partition: 1 }]);
log.produce('trades', [{ ...trade('ETHUSDT', 61_000), partition: 1 }]);
await app.caughtUp(); // everything produced so far is processed
await app.stop(); // the final checkpoint: flush, changelogs, offsets
