import { aggregators, hopping, KStream, record } from '../../src/index.js';

interface Trade {
  readonly symbol: string;
  readonly price: number;
}

const trades = KStream.from(
  [
    record(null, { symbol: 'BTCUSDT', price: 64_000 }, 1_000),
    record(null, { symbol: 'ETHUSDT', price: 3_100 }, 2_000),
    record(null, { symbol: 'BTCUSDT', price: 64_100 }, 6_000),
    record(null, { symbol: 'BTCUSDT', price: 64_300 }, 12_000),
  ],
  { watermark: { maxOutOfOrderness: '1s' } },
);

const averages = trades
  .filter((trade) => trade.price > 0)
  .selectKey((trade) => trade.symbol)
  .window(hopping('10s', '5s'))
  .aggregate(aggregators.mean((trade: Trade) => trade.price));

averages.records().subscribe((r) => console.log(r.key, r.value.window, r.value.value));
// BTCUSDT { start: 0, end: 10000 } 64050
// ETHUSDT { start: 0, end: 10000 } 3100
// BTCUSDT { start: 5000, end: 15000 } 64200
// BTCUSDT { start: 10000, end: 20000 } 64300
