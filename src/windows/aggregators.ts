import type { Aggregator, AnyAggregator } from './Aggregator.js';

/**
 * Built-in aggregators. Each takes an optional selector from the record value to the number it
 * aggregates (the value itself when it is a number).
 *
 * @example
 * ```ts
 * import { aggregators } from 'tributary';
 * interface Trade { price: number; qty: number }
 * const avgPrice = aggregators.mean((t: Trade) => t.price);
 * const stats = aggregators.combine({ avg: avgPrice, trades: aggregators.count(), volume: aggregators.sum((t: Trade) => t.qty) });
 * ```
 */
type Selector<V> = (value: V) => number;
const identity = (v: unknown): number => v as number;

/** Number of records. */
export const count = <V = unknown>(): Aggregator<V, number, number> => ({
  empty: () => 0,
  add: (n) => n + 1,
  merge: (a, b) => a + b,
  result: (n) => n,
});

/** Sum of the selected numbers. */
export const sum = <V = number>(select: Selector<V> = identity): Aggregator<V, number, number> => ({
  empty: () => 0,
  add: (s, v) => s + select(v),
  merge: (a, b) => a + b,
  result: (s) => s,
});

interface MeanAcc {
  sum: number;
  count: number;
}

/** Arithmetic mean of the selected numbers (`NaN` for no records, which never happens in a window). */
export const mean = <V = number>(select: Selector<V> = identity): Aggregator<V, MeanAcc, number> => ({
  empty: () => ({ sum: 0, count: 0 }),
  add: (acc, v) => {
    acc.sum += select(v);
    acc.count += 1;
    return acc;
  },
  merge: (a, b) => {
    a.sum += b.sum;
    a.count += b.count;
    return a;
  },
  result: (acc) => acc.sum / acc.count,
});

/** Smallest selected number. */
export const min = <V = number>(select: Selector<V> = identity): Aggregator<V, number, number> => ({
  empty: () => Infinity,
  add: (m, v) => Math.min(m, select(v)),
  merge: (a, b) => Math.min(a, b),
  result: (m) => m,
});

/** Largest selected number. */
export const max = <V = number>(select: Selector<V> = identity): Aggregator<V, number, number> => ({
  empty: () => -Infinity,
  add: (m, v) => Math.max(m, select(v)),
  merge: (a, b) => Math.max(a, b),
  result: (m) => m,
});

interface Timed<T> {
  timestamp: number;
  value: T | undefined;
}

/** The value of the earliest record by event time (the first to arrive among equal timestamps). */
export const first = <V, T = V>(
  select: (value: V) => T = (v) => v as unknown as T,
): Aggregator<V, Timed<T>, T | undefined> => ({
  empty: () => ({ timestamp: Infinity, value: undefined }),
  add: (acc, v, timestamp) => {
    if (timestamp < acc.timestamp) {
      acc.timestamp = timestamp;
      acc.value = select(v);
    }
    return acc;
  },
  merge: (a, b) => (b.timestamp < a.timestamp ? { timestamp: b.timestamp, value: b.value } : a),
  result: (acc) => acc.value,
});

/** The value of the latest record by event time (the last to arrive among equal timestamps). */
export const last = <V, T = V>(
  select: (value: V) => T = (v) => v as unknown as T,
): Aggregator<V, Timed<T>, T | undefined> => ({
  empty: () => ({ timestamp: -Infinity, value: undefined }),
  add: (acc, v, timestamp) => {
    if (timestamp >= acc.timestamp) {
      acc.timestamp = timestamp;
      acc.value = select(v);
    }
    return acc;
  },
  merge: (a, b) => (b.timestamp >= a.timestamp ? { timestamp: b.timestamp, value: b.value } : a),
  result: (acc) => acc.value,
});

/** An OHLCV candle. `open` and `close` follow event time, not arrival order. */
export interface Candle {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly trades: number;
}

interface CandleAcc {
  openAt: number;
  open: number;
  closeAt: number;
  close: number;
  high: number;
  low: number;
  volume: number;
  trades: number;
}

/** Open, high, low, close and volume of trades. */
export const ohlcv = <V>(select: {
  readonly price: Selector<V>;
  readonly volume: Selector<V>;
}): Aggregator<V, CandleAcc, Candle> => ({
  empty: () => ({
    openAt: Infinity,
    open: NaN,
    closeAt: -Infinity,
    close: NaN,
    high: -Infinity,
    low: Infinity,
    volume: 0,
    trades: 0,
  }),
  add: (acc, v, timestamp) => {
    const price = select.price(v);
    if (timestamp < acc.openAt) {
      acc.openAt = timestamp;
      acc.open = price;
    }
    if (timestamp >= acc.closeAt) {
      acc.closeAt = timestamp;
      acc.close = price;
    }
    if (price > acc.high) acc.high = price;
    if (price < acc.low) acc.low = price;
    acc.volume += select.volume(v);
    acc.trades += 1;
    return acc;
  },
  merge: (a, b) => {
    if (b.openAt < a.openAt) {
      a.openAt = b.openAt;
      a.open = b.open;
    }
    if (b.closeAt >= a.closeAt) {
      a.closeAt = b.closeAt;
      a.close = b.close;
    }
    if (b.high > a.high) a.high = b.high;
    if (b.low < a.low) a.low = b.low;
    a.volume += b.volume;
    a.trades += b.trades;
    return a;
  },
  result: (acc) => ({
    open: acc.open,
    high: acc.high,
    low: acc.low,
    close: acc.close,
    volume: acc.volume,
    trades: acc.trades,
  }),
});

/** Named aggregators over the same records; `any` lets each part keep its own value type until combined. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Parts = Record<string, AnyAggregator<any, unknown>>;

/** The result type of each aggregator in a record of aggregators. */
type Results<S extends Parts> = {
  readonly [P in keyof S]: S[P] extends AnyAggregator<never, infer R> ? R : never;
};

/** The value type every part accepts: the intersection of the parts' value types. */
type InputOf<S extends Parts> = [S[keyof S]] extends [
  { readonly add: (acc: never, value: infer V, t: number) => unknown },
]
  ? V
  : never;

/** Several aggregations over the same records at once; the result has the same field names. */
export const combine = <S extends Parts>(parts: S): Aggregator<InputOf<S>, unknown[], Results<S>> => {
  const names = Object.keys(parts);
  const aggs = names.map((n) => parts[n]!);
  const mergeable = aggs.every((a) => a.merge !== undefined);
  return {
    empty: () => aggs.map((a) => a.empty()),
    add: (accs, v, timestamp) => {
      for (let i = 0; i < aggs.length; i++) accs[i] = aggs[i]!.add(accs[i], v, timestamp);
      return accs;
    },
    ...(mergeable
      ? {
          merge: (a: unknown[], b: unknown[]) => {
            for (let i = 0; i < aggs.length; i++) a[i] = aggs[i]!.merge!(a[i], b[i]);
            return a;
          },
        }
      : {}),
    result: (accs) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < aggs.length; i++) out[names[i]!] = aggs[i]!.result(accs[i]);
      return out as Results<S>;
    },
  };
};

/** Collects the values, in event-time order (arrival order among equal timestamps). */
export const collect = <V>(): Aggregator<V, { value: V; timestamp: number }[], V[]> => ({
  empty: () => [],
  add: (acc, value, timestamp) => {
    acc.push({ value, timestamp });
    return acc;
  },
  merge: (a, b) => {
    for (const e of b) a.push(e);
    return a;
  },
  result: (acc) =>
    acc
      .slice()
      .sort((x, y) => x.timestamp - y.timestamp)
      .map((e) => e.value),
});
