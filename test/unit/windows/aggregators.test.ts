import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregators, type Aggregator } from '../../../src/index.js';

/** A value and its event time, in arrival order. */
type Entry<V> = readonly [value: V, timestamp: number];

function foldAcc<V, A, R>(agg: Aggregator<V, A, R>, entries: readonly Entry<V>[]): A {
  let acc = agg.empty();
  for (const [value, timestamp] of entries) acc = agg.add(acc, value, timestamp);
  return acc;
}

function fold<V, A, R>(agg: Aggregator<V, A, R>, entries: readonly Entry<V>[]): R {
  return agg.result(foldAcc(agg, entries));
}

interface Trade {
  readonly price: number;
  readonly qty: number;
}

const trade = (price: number, qty: number): Trade => ({ price, qty });

describe('count, sum, mean, min, max', () => {
  const entries: Entry<number>[] = [
    [4, 30],
    [-2, 10],
    [7, 20],
    [1, 20],
  ];

  it('aggregate numbers regardless of arrival order', () => {
    expect(fold(aggregators.count(), entries)).toBe(4);
    expect(fold(aggregators.sum(), entries)).toBe(10);
    expect(fold(aggregators.mean(), entries)).toBe(2.5);
    expect(fold(aggregators.min(), entries)).toBe(-2);
    expect(fold(aggregators.max(), entries)).toBe(7);
  });

  it('aggregate a field picked by a selector', () => {
    const trades: Entry<Trade>[] = [
      [trade(100, 2), 1],
      [trade(103, 1), 2],
      [trade(97, 3), 3],
    ];
    expect(
      fold(
        aggregators.sum((t: Trade) => t.qty),
        trades,
      ),
    ).toBe(6);
    expect(
      fold(
        aggregators.mean((t: Trade) => t.price),
        trades,
      ),
    ).toBe(100);
    expect(
      fold(
        aggregators.min((t: Trade) => t.price),
        trades,
      ),
    ).toBe(97);
    expect(
      fold(
        aggregators.max((t: Trade) => t.price),
        trades,
      ),
    ).toBe(103);
  });

  it('report the documented values for no records', () => {
    expect(fold(aggregators.count(), [])).toBe(0);
    expect(fold(aggregators.sum(), [])).toBe(0);
    expect(fold(aggregators.mean(), [])).toBeNaN();
  });
});

describe('first and last', () => {
  it('follow event time, not arrival order', () => {
    const entries: Entry<string>[] = [
      ['b', 20],
      ['a', 10],
      ['d', 40],
      ['c', 30],
    ];
    expect(fold(aggregators.first<string>(), entries)).toBe('a');
    expect(fold(aggregators.last<string>(), entries)).toBe('d');
  });

  it('break ties by arrival: first keeps the earliest arrival, last the latest', () => {
    const entries: Entry<string>[] = [
      ['x', 10],
      ['y', 10],
      ['z', 10],
    ];
    expect(fold(aggregators.first<string>(), entries)).toBe('x');
    expect(fold(aggregators.last<string>(), entries)).toBe('z');
  });

  it('apply the selector', () => {
    const entries: Entry<Trade>[] = [
      [trade(101, 1), 2],
      [trade(99, 1), 1],
    ];
    expect(
      fold(
        aggregators.first((t: Trade) => t.price),
        entries,
      ),
    ).toBe(99);
    expect(
      fold(
        aggregators.last((t: Trade) => t.price),
        entries,
      ),
    ).toBe(101);
  });

  it('are undefined for no records', () => {
    expect(fold(aggregators.first<string>(), [])).toBeUndefined();
    expect(fold(aggregators.last<string>(), [])).toBeUndefined();
  });
});

describe('ohlcv', () => {
  const candle = aggregators.ohlcv({ price: (t: Trade) => t.price, volume: (t: Trade) => t.qty });

  it('takes open and close by event time when trades arrive out of order', () => {
    const entries: Entry<Trade>[] = [
      [trade(10, 1), 5],
      [trade(12, 2), 1], // earliest trade: the open
      [trade(8, 1.5), 9], // latest trade: the close
      [trade(11, 0.5), 3],
    ];
    expect(fold(candle, entries)).toEqual({ open: 12, high: 12, low: 8, close: 8, volume: 5, trades: 4 });
  });

  it('breaks open and close ties by arrival', () => {
    const entries: Entry<Trade>[] = [
      [trade(5, 1), 7],
      [trade(1, 1), 0],
      [trade(2, 1), 0],
      [trade(3, 1), 7],
    ];
    expect(fold(candle, entries)).toMatchObject({ open: 1, close: 3 });
  });
});

describe('collect', () => {
  it('lists values in event-time order, arrival order among equal timestamps', () => {
    const entries: Entry<string>[] = [
      ['c', 30],
      ['a1', 10],
      ['b', 20],
      ['a2', 10],
    ];
    expect(fold(aggregators.collect<string>(), entries)).toEqual(['a1', 'a2', 'b', 'c']);
  });
});

describe('combine', () => {
  it('runs every part over the same records and names results after the parts', () => {
    const stats = aggregators.combine({
      trades: aggregators.count<Trade>(),
      volume: aggregators.sum((t: Trade) => t.qty),
      close: aggregators.last((t: Trade) => t.price),
    });
    const entries: Entry<Trade>[] = [
      [trade(101, 2), 2],
      [trade(100, 1), 1],
    ];
    expect(fold(stats, entries)).toEqual({ trades: 2, volume: 3, close: 101 });
  });

  it('can merge only when every part can', () => {
    const withoutMerge: Aggregator<number, number[], number> = {
      empty: () => [],
      add: (acc, v) => [...acc, v],
      result: (acc) => acc.length,
    };
    expect(aggregators.combine({ n: aggregators.count<number>(), s: aggregators.sum() }).merge).toBeDefined();
    expect(
      aggregators.combine({ n: aggregators.count<number>(), custom: withoutMerge }).merge,
    ).toBeUndefined();
  });
});

/** The laws every built-in aggregator keeps, as checks over one aggregator. */
function lawsOf<A, R>(agg: Aggregator<number, A, R>) {
  return {
    mergeEqualsAddingAll(all: readonly Entry<number>[], split: number): void {
      const a = foldAcc(agg, all.slice(0, split));
      const b = foldAcc(agg, all.slice(split));
      expect(agg.result(agg.merge!(a, b))).toEqual(fold(agg, all));
      // merge may reuse its first argument, never its second.
      expect(agg.result(b)).toEqual(fold(agg, all.slice(split)));
    },
    emptyIsFresh(): void {
      const used = agg.add(agg.empty(), 5, 1);
      expect(agg.result(agg.add(agg.empty(), 7, 2))).toEqual(fold(agg, [[7, 2]]));
      expect(agg.result(used)).toEqual(fold(agg, [[5, 1]]));
    },
  };
}

describe('merge', () => {
  const builtIns = Object.entries({
    count: lawsOf(aggregators.count<number>()),
    sum: lawsOf(aggregators.sum()),
    mean: lawsOf(aggregators.mean()),
    min: lawsOf(aggregators.min()),
    max: lawsOf(aggregators.max()),
    first: lawsOf(aggregators.first<number>()),
    last: lawsOf(aggregators.last<number>()),
    ohlcv: lawsOf(aggregators.ohlcv({ price: (v: number) => v, volume: (v: number) => Math.abs(v) })),
    collect: lawsOf(aggregators.collect<number>()),
    combine: lawsOf(
      aggregators.combine({
        n: aggregators.count<number>(),
        hi: aggregators.max(),
        at: aggregators.last<number>(),
      }),
    ),
  });

  // Integers keep sums exact, and a narrow time range makes equal timestamps (ties) common.
  const entries = fc.array(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 20 })), {
    maxLength: 30,
  });

  it.each(builtIns)('%s: merging the partial results of a split equals adding every value', (_, laws) => {
    fc.assert(
      fc.property(entries, fc.nat(), (all, cut) => laws.mergeEqualsAddingAll(all, cut % (all.length + 1))),
      { numRuns: 200 },
    );
  });

  it.each(builtIns)('%s: empty() returns an independent accumulator', (_, laws) => {
    laws.emptyIsFresh();
  });
});
