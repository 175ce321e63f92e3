/**
 * What the page computes from the results it holds, apart from drawing: the side panel's numbers, the
 * moving average on the candles' time axis, and which candle interval suits a range. Pure functions.
 */
import { intervalMillis, type AverageEvent, type CandleEvent, type TradeEvent } from '../DashboardEvent.js';

/** The side panel's numbers over a range; each is `undefined` when the range has no candle. */
export interface RangeSummary {
  /** Candles in the range. */
  readonly candles: number;
  /** The latest price: the close of the range's last candle, or a later trade's price. */
  readonly current?: number;
  /** `current` minus the open of the range's first candle, and the same in % of that open. */
  readonly change?: number;
  readonly changePercent?: number;
  readonly min?: number;
  readonly max?: number;
  /** Traded quantity over the range's candles, in the base asset. */
  readonly volume?: number;
}

/**
 * The side panel over `[from, to]`: candles (of one interval, any order) count when their start is in the
 * range; min, max and volume are over those candles. `lastTrade`, when later than the last candle's end,
 * is the current price.
 */
export function summarize(
  candles: Iterable<CandleEvent>,
  from: number,
  to: number,
  lastTrade?: TradeEvent,
): RangeSummary {
  let first: CandleEvent | undefined;
  let last: CandleEvent | undefined;
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  let volume = 0;
  for (const c of candles) {
    if (c.start < from || c.start > to) continue;
    count++;
    if (first === undefined || c.start < first.start) first = c;
    if (last === undefined || c.start > last.start) last = c;
    min = Math.min(min, c.low);
    max = Math.max(max, c.high);
    volume += c.volume;
  }
  if (first === undefined || last === undefined) return { candles: 0 };
  const current =
    lastTrade !== undefined && lastTrade.time >= last.end && lastTrade.time <= to
      ? lastTrade.price
      : last.close;
  const change = current - first.open;
  return { candles: count, current, change, changePercent: (change / first.open) * 100, min, max, volume };
}

/** One point of a line on the candles' time axis: `time` is the start of a candle interval (ms). */
export interface LinePoint {
  readonly time: number;
  readonly value: number;
}

/**
 * The moving average on the candles' time axis: each average goes to the candle interval holding its
 * window's last instant, and of several in one interval the latest window wins, as a chart shows an
 * indicator's value at each candle's close. With 1 s candles every 5 s average is its own point.
 */
export function averageLine(
  averages: Iterable<AverageEvent>,
  intervalMs: number,
  from: number,
  to: number,
): LinePoint[] {
  const byBar = new Map<number, AverageEvent>();
  for (const a of averages) {
    if (a.windowEnd < from || a.windowEnd > to) continue;
    const bar = Math.floor((a.windowEnd - 1) / intervalMs) * intervalMs;
    const held = byBar.get(bar);
    if (held === undefined || a.windowEnd > held.windowEnd) byBar.set(bar, a);
  }
  return [...byBar].sort(([a], [b]) => a - b).map(([time, a]) => ({ time, value: a.average_price }));
}

/** The most candles a range shows by default. */
export const MAX_DEFAULT_BARS = 1_500;

/**
 * The candle interval a range opens with: the shortest available one that gives at most
 * {@link MAX_DEFAULT_BARS} candles over the range (15 min → 1 s, 1 h → 1 m, 24 h → 1 m), else the longest.
 */
export function defaultInterval(available: readonly string[], rangeMs: number): string | undefined {
  const known = available
    .map((interval) => ({ interval, ms: intervalMillis(interval) }))
    .filter((i): i is { interval: string; ms: number } => i.ms !== undefined)
    .sort((a, b) => a.ms - b.ms);
  return (known.find((i) => rangeMs / i.ms <= MAX_DEFAULT_BARS) ?? known[known.length - 1])?.interval;
}
