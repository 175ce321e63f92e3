/**
 * An aggregation as a value: how to start (`empty`), fold in one record (`add`), combine two partial
 * results (`merge`, optional: it enables pane sharing for hopping windows and session merging) and read
 * the result.
 *
 * Accumulators may be mutable: `add` and `merge` may update their first argument in place and return it,
 * and must never change any other argument. `empty` returns a fresh accumulator every call.
 *
 * @example
 * ```ts
 * import type { Aggregator } from 'tributary';
 * const range: Aggregator<number, { lo: number; hi: number }, number> = {
 *   empty: () => ({ lo: Infinity, hi: -Infinity }),
 *   add: (acc, v) => ({ lo: Math.min(acc.lo, v), hi: Math.max(acc.hi, v) }),
 *   merge: (a, b) => ({ lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) }),
 *   result: (acc) => acc.hi - acc.lo,
 * };
 * ```
 */
export interface Aggregator<V, A, R> {
  readonly empty: () => A;
  readonly add: (acc: A, value: V, timestamp: number) => A;
  readonly merge?: (a: A, b: A) => A;
  readonly result: (acc: A) => R;
}

/** Any aggregator over values `V` producing `R`, whatever its accumulator. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAggregator<V, R> = Aggregator<V, any, R>;

interface Entry<V> {
  readonly value: V;
  readonly timestamp: number;
}

/**
 * Gives an aggregator without `merge` one, by keeping the raw entries and folding them in event-time order
 * when a result is read. Slower, but it lets any aggregator run over panes and sessions.
 */
export const withEntryMerge = <V, A, R>(agg: Aggregator<V, A, R>): Aggregator<V, Entry<V>[], R> => ({
  empty: () => [],
  add: (entries, value, timestamp) => {
    entries.push({ value, timestamp });
    return entries;
  },
  merge: (a, b) => {
    for (const e of b) a.push(e);
    return a;
  },
  result: (entries) => {
    const ordered = entries.slice().sort((x, y) => x.timestamp - y.timestamp);
    let acc = agg.empty();
    for (const e of ordered) acc = agg.add(acc, e.value, e.timestamp);
    return agg.result(acc);
  },
});
