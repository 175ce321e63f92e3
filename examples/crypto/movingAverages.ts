import { hopping, type KStream } from '../../src/index.js';
import { arrivalOrderStats, type Arrival } from './arrivalOrderStats.js';
import type { Trade } from './trade.js';

/** The hopping windows of the moving averages, in milliseconds. */
export interface MovingAverageSettings {
  /** Window size (`--window`, default 30 s). */
  readonly windowMs: number;
  /** How far each window starts after the previous one (`--slide`, default 5 s); at most `windowMs`. */
  readonly slideMs: number;
}

/** One closed window of one symbol, as the replay writes it (one JSON object per line). */
export interface WindowAverage {
  readonly symbol: string;
  /** Start of the window, ms since the epoch, inclusive. */
  readonly windowStart: number;
  /** End of the window, ms since the epoch, exclusive. */
  readonly windowEnd: number;
  /** Arithmetic mean of the trade prices (their sum in arrival order, divided by the count). */
  readonly average_price: number;
  readonly count: number;
  /** Sum of the trade quantities, in arrival order. */
  readonly volume: number;
}

/** A closed window with its volume-weighted average price too (what `process` writes). */
export interface WindowStats extends WindowAverage {
  /** Volume-weighted average price: Σ price × quantity / Σ quantity, in arrival order. */
  readonly vwap: number;
}

/**
 * How far the pipeline's event time runs ahead of the trade time `T`: a whole number of slides, at least
 * one window size.
 *
 * Windows start at every multiple of the slide, and a trade at `T` belongs to each window `[s, s + size)`
 * with `s ≤ T < s + size`; for a trade less than one window after the epoch some of those start before
 * it. The engine's hopping windows, like Kafka Streams', start at 0 or later, so the pipeline runs on
 * `T + shift` (which keeps every window boundary on a multiple of the slide) and reports windows back in
 * trade time. Watermarks, lateness and closing are unchanged by a shift of every time alike.
 */
export const eventTimeShift = ({ windowMs, slideMs }: MovingAverageSettings): number =>
  Math.ceil(windowMs / slideMs) * slideMs;

/** The event time of a trade in the pipeline: build the source's records with it. */
export const eventTime =
  (settings: MovingAverageSettings) =>
  (trade: Trade): number =>
    trade.time + eventTimeShift(settings);

/**
 * Trades → per-symbol hopping windows of `windowMs` every `slideMs` → count, mean price and volume of
 * each window when it closes (when the source's watermark reaches its end; every open window closes when
 * the input ends). Trades whose windows are all closed on arrival are diverted as late.
 *
 * The source's records must have the timestamps of {@link eventTime}. Arrival order, in which prices and
 * quantities are added, is the records' log offset (records without an origin count in the order they
 * reach the window): give the pipeline one partition, or partitions keyed by symbol.
 */
export const movingAverages = (
  trades: KStream<unknown, Trade>,
  settings: MovingAverageSettings,
): KStream<string, WindowAverage> =>
  movingAverageStats(trades, settings).mapValues(
    ({ symbol, windowStart, windowEnd, average_price, count, volume }): WindowAverage => ({
      symbol,
      windowStart,
      windowEnd,
      average_price,
      count,
      volume,
    }),
  );

/**
 * {@link movingAverages}, with each window's VWAP. `shift` is how far the records' timestamps run ahead of
 * the trade time: {@link eventTimeShift} by default; 0 for a source timed by the trade time itself, which
 * gives the same windows for any trade later than one window after the epoch.
 */
export const movingAverageStats = (
  trades: KStream<unknown, Trade>,
  settings: MovingAverageSettings,
  shift: number = eventTimeShift(settings),
): KStream<string, WindowStats> => {
  let unplaced = 0;
  return trades
    .selectKey((trade) => trade.symbol)
    .mapValues((trade, r): Arrival => ({
      seq: r.origin === undefined ? unplaced++ : Number(r.origin.offset),
      price: trade.price,
      qty: trade.qty,
    }))
    .window(hopping(settings.windowMs, settings.slideMs))
    .aggregate(arrivalOrderStats, { name: 'moving-average' })
    .mapValues(({ window, value }, r): WindowStats => ({
      symbol: r.key,
      windowStart: window.start - shift,
      windowEnd: window.end - shift,
      average_price: value.averagePrice,
      count: value.count,
      volume: value.volume,
      vwap: value.vwap,
    }));
};
