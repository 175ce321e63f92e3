import type { Aggregator } from '../../src/index.js';

/** A trade as a window counts it: its place in arrival order, its price and its quantity. */
export interface Arrival {
  readonly seq: number;
  readonly price: number;
  readonly qty: number;
}

/** Count, mean price and volume of a window's trades. */
export interface ArrivalStats {
  readonly count: number;
  /** The sum of the prices in arrival order, divided by the count. */
  readonly averagePrice: number;
  /** The sum of the quantities in arrival order. */
  readonly volume: number;
  /** Volume-weighted average price: the sum of price × quantity in arrival order, divided by the volume. */
  readonly vwap: number;
}

/** A pane's (or a merged window's) trades as columns, each pane's in arrival order. */
interface Columns {
  seq: number[];
  price: number[];
  qty: number[];
}

/**
 * Count, mean price and volume, with the sums taken in arrival order whatever panes the engine merges.
 *
 * Floating-point addition is not associative. A hopping window's result is the merge of its panes, so
 * `aggregators.mean` and `aggregators.sum` add per-pane subtotals, `(a + b) + (c + d)` rather than
 * `((a + b) + c) + d`, and the last bits can differ from a plain loop over the trades as they arrived.
 * This aggregator keeps each pane's trades and, when a result is read, adds them up in the order of
 * `seq` (the log offset), so that any implementation summing in arrival order gets the same doubles.
 * It costs memory for each trade in open windows, and a sort when a window is read (the panes' runs are
 * already in order).
 */
export const arrivalOrderStats: Aggregator<Arrival, Columns, ArrivalStats> = {
  empty: () => ({ seq: [], price: [], qty: [] }),
  add: (acc, trade) => {
    acc.seq.push(trade.seq);
    acc.price.push(trade.price);
    acc.qty.push(trade.qty);
    return acc;
  },
  merge: (a, b) => {
    for (let i = 0; i < b.seq.length; i++) {
      a.seq.push(b.seq[i]!);
      a.price.push(b.price[i]!);
      a.qty.push(b.qty[i]!);
    }
    return a;
  },
  result: ({ seq, price, qty }) => {
    const n = seq.length;
    let ordered = true;
    for (let i = 1; i < n && ordered; i++) ordered = seq[i - 1]! < seq[i]!;
    const order = Array.from({ length: n }, (_, i) => i);
    if (!ordered) order.sort((i, j) => seq[i]! - seq[j]!);
    let prices = 0;
    let volume = 0;
    let notional = 0;
    for (const i of order) {
      prices += price[i]!;
      volume += qty[i]!;
      notional += price[i]! * qty[i]!;
    }
    return { count: n, averagePrice: prices / n, volume, vwap: notional / volume };
  },
};
