import { identity, knownAt, plotTime, type DashboardEvent } from './DashboardEvent.js';
import type { HistoryExtent, HistoryOptions, RecordingHistory } from './HistorySource.js';

/** Options of {@link inMemoryHistory}. */
export interface InMemoryHistoryOptions {
  /**
   * Results kept per series (one symbol's averages, or its candles of one interval); the oldest go first.
   * Default 100 000: a day of 1 s candles.
   */
  readonly limit?: number;
}

/** One series' results in `plotTime` order; `head` skips the dropped ones until the array is compacted. */
interface Series {
  readonly events: DashboardEvent[];
  head: number;
}

/**
 * A bounded history in memory, which the dashboard fills with the events it receives: the history of an
 * embedded run without InfluxDB. An event with the identity of one held (the same window again, as an
 * `updates` pipeline sends it) replaces it; trades are not kept.
 *
 * @example
 * ```ts
 * const history = inMemoryHistory({ limit: 10_000 });
 * history.add({ type: 'candle', symbol: 'BTCUSDT', interval: '1m', start: 0, end: 60_000,
 *   open: 1, high: 2, low: 1, close: 2, volume: 3 });
 * await history.query('BTCUSDT', 0, 60_000); // [that candle]
 * ```
 */
export function inMemoryHistory(options: InMemoryHistoryOptions = {}): RecordingHistory {
  const limit = options.limit ?? 100_000;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`inMemoryHistory: limit must be a positive whole number, got ${String(limit)}`);
  }
  const series = new Map<string, Series>();
  const intervals = new Map<string, Set<string>>();
  let latest: number | undefined;

  const keyOf = (e: DashboardEvent): string =>
    e.type === 'candle' ? `${e.symbol}|c|${e.interval}` : `${e.symbol}|a`;

  return {
    add(event) {
      if (event.type === 'trade') return;
      const key = keyOf(event);
      let s = series.get(key);
      if (s === undefined) {
        s = { events: [], head: 0 };
        series.set(key, s);
      }
      const symbolIntervals = intervals.get(event.symbol) ?? new Set<string>();
      intervals.set(event.symbol, symbolIntervals);
      if (event.type === 'candle') symbolIntervals.add(event.interval);
      latest = Math.max(latest ?? -Infinity, knownAt(event));
      insert(s, event);
      if (s.events.length - s.head > limit) s.head++;
      // Compacting once half the array is dropped keeps both the memory and the cost per event bounded.
      if (s.head > limit / 2 + 1) {
        s.events.splice(0, s.head);
        s.head = 0;
      }
    },

    query(symbol, from, to, options: HistoryOptions = {}) {
      const wanted = options.intervals ? new Set(options.intervals) : undefined;
      const found: DashboardEvent[] = [];
      const take = (s: Series | undefined) => {
        if (s === undefined) return;
        for (let i = lowerBound(s, from); i < s.events.length && plotTime(s.events[i]!) <= to; i++) {
          found.push(s.events[i]!);
        }
      };
      take(series.get(`${symbol}|a`));
      for (const interval of intervals.get(symbol) ?? []) {
        if (wanted === undefined || wanted.has(interval)) take(series.get(`${symbol}|c|${interval}`));
      }
      return Promise.resolve(found);
    },

    extent(): Promise<HistoryExtent> {
      const symbols: Record<string, string[]> = {};
      for (const [symbol, set] of intervals) symbols[symbol] = [...set];
      return Promise.resolve({ symbols, latest });
    },
  };
}

/** The first index at or after `head` whose plot time is `>= time`. */
function lowerBound(s: Series, time: number): number {
  let lo = s.head;
  let hi = s.events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (plotTime(s.events[mid]!) < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts in plot-time order, replacing an event of the same identity; in-order events are appended. */
function insert(s: Series, event: DashboardEvent): void {
  const t = plotTime(event);
  const last = s.events[s.events.length - 1];
  if (last === undefined || plotTime(last) < t) {
    s.events.push(event);
    return;
  }
  const id = identity(event);
  let i = lowerBound(s, t);
  for (; i < s.events.length && plotTime(s.events[i]!) === t; i++) {
    if (identity(s.events[i]!) === id) {
      s.events[i] = event;
      return;
    }
  }
  s.events.splice(i, 0, event);
}
