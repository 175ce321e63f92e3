import { describe, it, expect } from 'vitest';
import {
  referenceWindows,
  type RefOptions,
  type RefRecord,
  type RefWindowSpec,
} from '../../reference/windowReference.js';

/** Records as [key, timestamp, value, partition?]; partition defaults to 0. */
type Row = readonly [key: string, timestamp: number, value: number, partition?: number];

function records(rows: readonly Row[]): RefRecord[] {
  return rows.map(([key, timestamp, value, partition = 0]) => ({ key, timestamp, value, partition }));
}

function options(
  window: RefWindowSpec,
  graceMs: number,
  maxOutOfOrdernessMs: number,
  partitions: readonly number[] = [0],
): RefOptions {
  return { window, graceMs, maxOutOfOrdernessMs, partitions };
}

/** An expected final window; `end` is exclusive. */
function win(key: string, start: number, end: number, values: number[]) {
  return { key, start, end, values };
}

describe('referenceWindows: tumbling', () => {
  it('accepts a record behind the watermark within grace, drops one beyond grace, closes at W = end + grace', () => {
    // size 10, grace 5, delay 2: [s, s+10) closes when W >= s + 15; W = max - 2.
    const input = records([
      ['a', 1, 1], //  [0,10) opened.                              W = -1
      ['a', 12, 2], // [10,20) opened.                             W = 10
      ['a', 8, 3], //  behind W but [0,10) closes at 15 > 10: counted
      ['a', 19, 4], // [10,20).                                     W = 17 -> [0,10) closes
      ['a', 9, 5], //  [0,10) closed (17 >= 15): late
      ['b', 5, 6], //  b's [0,10) never existed but is closed: late
      ['a', 20, 7], // [20,30).                                     W = 18
      ['a', 15, 8], // [10,20) closes at 25 > 18: counted
      ['a', 27, 9], // [20,30).                                     W = 25 -> [10,20) closes (25 >= 25)
      ['a', 10, 10], // [10,20) closed exactly at W = 25: late
    ]);
    const result = referenceWindows(input, options({ kind: 'tumbling', sizeMs: 10 }, 5, 2));
    expect(result.finals).toEqual([
      win('a', 0, 10, [1, 3]),
      win('a', 10, 20, [2, 4, 8]),
      win('a', 20, 30, [7, 9]),
    ]);
    expect(result.late).toEqual([input[4], input[5], input[9]]);
  });
});

describe('referenceWindows: hopping', () => {
  it('counts a partly-closed record in its open windows only; windows start at k >= 0', () => {
    // size 10, advance 5, grace 0, delay 0: windows [5k, 5k+10), k >= 0.
    const input = records([
      ['a', 3, 1], //  [0,10) only (no [-5,5)).                    W = 3
      ['a', 12, 2], // [5,15), [10,20).                            W = 12 -> [0,10) closes
      ['a', 7, 3], //  [0,10) closed, [5,15) open: counted in [5,15) only, not late
      ['a', 4, 4], //  only [0,10), closed: late
      ['a', 16, 5], // [10,20), [15,25).                           W = 16 -> [5,15) closes
    ]);
    const result = referenceWindows(input, options({ kind: 'hopping', sizeMs: 10, advanceMs: 5 }, 0, 0));
    expect(result.finals).toEqual([
      win('a', 0, 10, [1]),
      win('a', 5, 15, [2, 3]),
      win('a', 10, 20, [2, 5]),
      win('a', 15, 25, [5]),
    ]);
    expect(result.late).toEqual([input[3]]);
  });
});

describe('referenceWindows: sliding', () => {
  it('reproduces the Kafka Streams SlidingWindows javadoc example', () => {
    // D = 5000: records 8000, 9200, 12400.
    const input = records([
      ['k', 8000, 1],
      ['k', 9200, 2],
      ['k', 12400, 3],
    ]);
    const result = referenceWindows(input, options({ kind: 'sliding', timeDifferenceMs: 5000 }, 0, 0));
    expect(result.finals).toEqual([
      win('k', 3000, 8001, [1]), // left of 8000
      win('k', 4200, 9201, [1, 2]), // left of 9200
      win('k', 7400, 12401, [1, 2, 3]), // left of 12400
      win('k', 8001, 13002, [2, 3]), // right of 8000
      win('k', 9201, 14202, [3]), // right of 9200
    ]);
    expect(result.late).toEqual([]);
  });

  it('handles an out-of-order record: counts in open windows, defines its right window, skips its closed left window', () => {
    // D = 30000, grace 10000, delay 0: [s, s+D] closes when W >= s + 40001; late iff W >= t + 40001.
    const input = records([
      ['k', 100000, 1], // creates [70000,100000]                                  W = 100000
      ['k', 115000, 2], // creates [100001,130001]{2}, [85000,115000]{1,2}          W = 115000
      //                   -> [70000,100000] closes (110001 <= 115000)
      ['k', 140000, 3], // creates [115001,145001]{3}, [110000,140000]{2,3}         W = 140000
      //                   -> [85000,115000] closes (125001 <= 140000)
      ['k', 112000, 4], // not late (140000 < 152001); joins [100001,130001] and [110000,140000];
      //                   left [82000,112000] would close at 122001 <= 140000: never created;
      //                   right [112001,142001] defined by 115000 and 140000: created {2,3}
    ]);
    const result = referenceWindows(input, options({ kind: 'sliding', timeDifferenceMs: 30000 }, 10000, 0));
    expect(result.finals).toEqual([
      win('k', 70000, 100001, [1]),
      win('k', 85000, 115001, [1, 2]),
      win('k', 100001, 130002, [2, 4]),
      win('k', 110000, 140001, [2, 3, 4]),
      win('k', 112001, 142002, [2, 3]),
      win('k', 115001, 145002, [3]),
    ]);
    expect(result.late).toEqual([]);
  });

  it('uses [0, D] as the left window below D and applies the lateness bound exactly', () => {
    // D = 10, grace 0, delay 0: [s, s+10] closes when W >= s + 11; late iff W >= t + 11.
    const input = records([
      ['k', 3, 1], //  left window [0,10] (3 < D).                              W = 3
      ['k', 5, 2], //  joins [0,10]; right of 3 = [4,14] created {2}.           W = 5
      ['k', 30, 3], // left [20,30] {3}; right of 5 = [6,16] not defined.       W = 30
      //               -> [0,10] (11) and [4,14] (15) close
      ['k', 19, 4], // 30 >= 19 + 11: late
      ['k', 20, 5], // not late (30 < 31); joins [20,30]; left [10,20] closed (21 <= 30): never created;
      //               right [21,31] defined by 30: created {3}
    ]);
    const result = referenceWindows(input, options({ kind: 'sliding', timeDifferenceMs: 10 }, 0, 0));
    expect(result.finals).toEqual([
      win('k', 0, 11, [1, 2]),
      win('k', 4, 15, [2]),
      win('k', 20, 31, [3, 5]),
      win('k', 21, 32, [3]),
    ]);
    expect(result.late).toEqual([input[3]]);
  });
});

describe('referenceWindows: session', () => {
  it('bridges open sessions, merges on both sides of the gap, and keeps keys apart', () => {
    // gap 10, grace 0, delay 100: the watermark never closes anything before end of input.
    const input = records([
      ['a', 0, 1], //  a: [0,0]
      ['a', 15, 2], // a: [0,0], [15,15] (15 > 0 + 10)
      ['b', 8, 3], //  b: [8,8]
      ['a', 30, 4], // a: [0,0], [15,15], [30,30] (30 > 15 + 10)
      ['a', 8, 5], //  a: bridges [0,0] and [15,15] -> [0,15]
      ['a', 22, 6], // a: 22 <= 15 + 10 and 22 >= 30 - 10 -> [0,30]
    ]);
    const result = referenceWindows(input, options({ kind: 'session', gapMs: 10 }, 0, 100));
    expect(result.finals).toEqual([win('b', 8, 9, [3]), win('a', 0, 31, [1, 2, 4, 5, 6])]);
    expect(result.late).toEqual([]);
  });

  it('never merges into a closed session and applies the lateness bound exactly', () => {
    // gap 10, grace 5, delay 0: a session closes when W >= last + 16; late iff W >= t + 16.
    const input = records([
      ['a', 0, 1], //  [0,0].                                                   W = 0
      ['a', 20, 2], // [20,20] (20 > 10).                                       W = 20 -> [0,0] closes (16)
      ['a', 10, 3], // not late (20 < 26); would touch [0,0] too, but it is closed: [10,20]
      ['a', 4, 4], //  20 >= 4 + 16: late
      ['a', 5, 5], //  not late (20 < 21): [5,20]
      ['a', 36, 6], // [36,36] (36 > 30).                                       W = 36 -> [5,20] closes (36)
    ]);
    const result = referenceWindows(input, options({ kind: 'session', gapMs: 10 }, 5, 0));
    expect(result.finals).toEqual([win('a', 0, 1, [1]), win('a', 5, 21, [2, 3, 5]), win('a', 36, 37, [6])]);
    expect(result.late).toEqual([input[3]]);
  });
});

describe('referenceWindows: multi-partition watermark', () => {
  it('holds the watermark at the slowest partition', () => {
    // tumbling 10, grace 0, delay 0, partitions 0 and 1: W = min(max_0, max_1), -Infinity until both have data.
    const input = records([
      ['a', 5, 1, 0], //  [0,10).                      W = -inf (p1 empty)
      ['a', 25, 2, 0], // [20,30).                     W = -inf
      ['a', 3, 3, 0], //  [0,10) still open: counted
      ['a', 12, 4, 1], // [10,20).                     W = min(25, 12) = 12 -> [0,10) closes
      ['a', 8, 5, 0], //  [0,10) closed: late
      ['a', 14, 6, 1], // [10,20).                     W = 14
      ['a', 40, 7, 0], // [40,50).                     W = min(40, 14) = 14
      ['a', 31, 8, 1], // [30,40).                     W = 31 -> [10,20), [20,30) close
      ['a', 15, 9, 1], // [10,20) closed: late
    ]);
    const result = referenceWindows(input, options({ kind: 'tumbling', sizeMs: 10 }, 0, 0, [0, 1]));
    expect(result.finals).toEqual([
      win('a', 0, 10, [1, 3]),
      win('a', 10, 20, [4, 6]),
      win('a', 20, 30, [2]),
      win('a', 30, 40, [8]),
      win('a', 40, 50, [7]),
    ]);
    expect(result.late).toEqual([input[4], input[8]]);
  });

  it('never closes anything before end of input while a listed partition stays empty', () => {
    const input = records([
      ['a', 100, 1, 0],
      ['a', 1, 2, 0],
      ['a', 50, 3, 1],
    ]);
    const result = referenceWindows(input, options({ kind: 'tumbling', sizeMs: 10 }, 0, 0, [0, 1, 2]));
    expect(result.finals).toEqual([win('a', 0, 10, [2]), win('a', 50, 60, [3]), win('a', 100, 110, [1])]);
    expect(result.late).toEqual([]);
  });

  it('rejects a record from a partition that is not listed', () => {
    expect(() =>
      referenceWindows(records([['a', 1, 1, 3]]), options({ kind: 'tumbling', sizeMs: 10 }, 0, 0, [0, 1])),
    ).toThrow(RangeError);
  });
});
