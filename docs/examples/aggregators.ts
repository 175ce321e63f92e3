import { aggregators, tumbling, type Aggregator, type KStream } from '../../src/index.js';
import { TestDriver } from '../../src/testing/index.js';

interface Trade {
  readonly price: number;
  readonly qty: number;
}

// Volume-weighted average price.
const vwap: Aggregator<Trade, { notional: number; qty: number }, number> = {
  empty: () => ({ notional: 0, qty: 0 }),
  add: (acc, trade) => {
    acc.notional += trade.price * trade.qty;
    acc.qty += trade.qty;
    return acc;
  },
  merge: (a, b) => {
    a.notional += b.notional;
    a.qty += b.qty;
    return a;
  },
  result: (acc) => acc.notional / acc.qty,
};

const stats = aggregators.combine({
  candle: aggregators.ohlcv({ price: (t: Trade) => t.price, volume: (t: Trade) => t.qty }),
  vwap,
  largest: aggregators.max((t: Trade) => t.qty),
});

const driver = TestDriver.create((trades: KStream<string, Trade>) =>
  trades.window(tumbling('1m')).aggregate(stats),
);

driver
  .send('BTCUSDT', { price: 100, qty: 1 }, 1_000)
  .send('BTCUSDT', { price: 110, qty: 3 }, 20_000)
  .send('BTCUSDT', { price: 90, qty: 1 }, 10_000)
  .end();

const result = driver.values()[0]?.value;
// {
//   candle: { open: 100, high: 110, low: 90, close: 110, volume: 5, trades: 3 },
//   vwap: 104,
//   largest: 3,
// }
// ---- end of documented example ----
export { result };
