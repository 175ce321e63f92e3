import { MemoryMetrics, type Metrics } from '../../src/metrics/index.js';

// A component takes any implementation and creates what it writes once, up front.
const countTrades = (metrics: Metrics) => {
  const trades = metrics.counter('trades_total', 'Trades seen, by symbol', ['symbol']);
  const price = metrics.gauge('last_price', 'Last trade price, by symbol', ['symbol']);
  return (symbol: string, value: number) => {
    trades.inc({ symbol });
    price.set({ symbol }, value);
  };
};

const metrics = new MemoryMetrics();
const onTrade = countTrades(metrics);
onTrade('BTCUSDT', 64_000);
onTrade('BTCUSDT', 64_100);
console.log(
  metrics.value('trades_total', { symbol: 'BTCUSDT' }),
  metrics.value('last_price', { symbol: 'BTCUSDT' }),
);
// 2 64100
