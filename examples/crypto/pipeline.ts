import {
  aggregators,
  sliding,
  tumbling,
  type Candle,
  type KStream,
  type WindowResult,
} from '../../src/index.js';
import type { Trade } from './trade.js';

/** The crypto analytics topology's settings; the defaults are the flagship example's. */
export interface CryptoSettings {
  /** Time difference of the sliding moving average. */
  readonly movingAverage: string;
  /** Candle interval. */
  readonly candle: string;
}

export const DEFAULT_SETTINGS: CryptoSettings = { movingAverage: '30s', candle: '1m' };

/** One output of the example: a moving average or a candle, per symbol. */
export type CryptoOutput =
  | { readonly kind: 'moving-average'; readonly result: WindowResult<MovingAverage, 'final'> }
  | { readonly kind: 'candle'; readonly result: WindowResult<Candle, 'final'> };

export interface MovingAverage {
  /** Mean trade price in the window. */
  readonly price: number;
  /** Volume-weighted average price. */
  readonly vwap: number;
  readonly trades: number;
}

const vwap = aggregators.combine({
  price: aggregators.mean((t: Trade) => t.price),
  notional: aggregators.sum((t: Trade) => t.price * t.qty),
  volume: aggregators.sum((t: Trade) => t.qty),
  trades: aggregators.count<Trade>(),
});

/**
 * Trades keyed by symbol → Kafka Streams sliding windows of 30 s (moving average and VWAP) and tumbling
 * 1 minute OHLCV candles. Event time is the trade time; the source's watermark decides when windows close.
 */
export const cryptoAnalytics = (
  trades: KStream<unknown, Trade>,
  settings: CryptoSettings = DEFAULT_SETTINGS,
): KStream<string, CryptoOutput> => {
  const bySymbol = trades.selectKey((t) => t.symbol);
  const movingAverages = bySymbol
    .window(sliding(settings.movingAverage))
    .aggregate(vwap, { name: 'moving-average' })
    .mapValues((r): CryptoOutput => ({
      kind: 'moving-average',
      result: {
        ...r,
        value: { price: r.value.price, vwap: r.value.notional / r.value.volume, trades: r.value.trades },
      },
    }));
  const candles = bySymbol
    .window(tumbling(settings.candle))
    .aggregate(aggregators.ohlcv({ price: (t: Trade) => t.price, volume: (t: Trade) => t.qty }), {
      name: 'candles',
    })
    .mapValues((result): CryptoOutput => ({ kind: 'candle', result }));
  return movingAverages.merge(candles);
};
