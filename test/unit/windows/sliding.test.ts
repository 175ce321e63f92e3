import { describe, expect, it } from 'vitest';
import {
  aggregators,
  sliding,
  type KStream,
  type SlidingWindows,
  type WindowResult,
} from '../../../src/index.js';
import { TestDriver } from '../../../src/testing/index.js';

/**
 * Kafka Streams SlidingWindows conformance, worked out by hand from the rules of its
 * KStreamSlidingWindowAggregate (apache/kafka, streams/.../kstream/internals):
 *  - a record at t >= D creates its left window [t − D, t]; a record at t < D goes to [0, D] instead;
 *  - it creates its right window [t + 1, t + 1 + D] when a later record of the key lies within it, and
 *    creates the previous record's right window when it falls inside that one;
 *  - it is added to every existing window that contains it;
 *  - a window with inclusive end e is closed once stream time reaches e + 1 + grace (it is updated only
 *    while e >= streamTime − grace), and a record is dropped when its own left window is closed.
 * Windows below are written with Kafka's inclusive bounds; the engine reports end = inclusive end + 1.
 * Values are collected, so each window lists its records' values in event-time order.
 */

interface Seen {
  readonly start: number;
  readonly end: number;
  readonly values: readonly number[];
}

/** A window written with Kafka's inclusive bounds, as the engine reports it (exclusive end). */
const win = (start: number, inclusiveEnd: number, values: readonly number[]): Seen => ({
  start,
  end: inclusiveEnd + 1,
  values,
});

function finalDriver(spec: SlidingWindows) {
  return TestDriver.create((input: KStream<string, number>) =>
    input.window(spec).aggregate(aggregators.collect<number>()),
  );
}

function updatesDriver(spec: SlidingWindows) {
  return TestDriver.create((input: KStream<string, number>) =>
    input.window(spec).aggregate(aggregators.collect<number>(), { emit: 'updates' }),
  );
}

/** What the tests read from either driver. */
interface Driver {
  readonly outputs: readonly unknown[];
  values(): readonly WindowResult<number[]>[];
}

function seen(driver: Driver): Seen[] {
  return driver.values().map((r) => ({ start: r.window.start, end: r.window.end, values: r.value }));
}

/** The outputs emitted while `send` runs. */
function step(driver: Driver, send: () => void): Seen[] {
  const before = driver.outputs.length;
  send();
  return seen(driver).slice(before);
}

const byStart = (a: Seen, b: Seen): number => a.start - b.start;

describe('sliding windows: the Kafka Streams SlidingWindows javadoc example', () => {
  it('creates exactly the five windows of records at 8000, 9200 and 12400 with D = 5 s', () => {
    const driver = finalDriver(sliding('5s'));
    driver.send('k', 1, 8_000).send('k', 2, 9_200).send('k', 3, 12_400).end();

    expect(seen(driver).sort(byStart)).toEqual([
      // left window of 8000
      win(3_000, 8_000, [1]),
      // left window of 9200
      win(4_200, 9_200, [1, 2]),
      // left window of 12400
      win(7_400, 12_400, [1, 2, 3]),
      // right window of 8000, created when 9200 arrived (9200 <= 8001 + 5000); 12400 joins it
      win(8_001, 13_001, [2, 3]),
      // right window of 9200, created when 12400 arrived (12400 <= 9201 + 5000)
      win(9_201, 14_201, [3]),
    ]);
    expect(driver.outputs.every((r) => r.value.emit === 'final')).toBe(true);
    expect(driver.late()).toEqual([]);
    expect(driver.stateEntries()).toBe(0);
  });
});

describe('sliding windows: an out-of-order record (D = 30 s, grace 10 s)', () => {
  // No watermark delay, so the watermark is stream time: a window [s, e] closes once the stream time
  // reaches e + 1 + 10000, and a record at t is late once it reaches t + 30000 + 1 + 10000.
  const spec = sliding('30s', { grace: '10s' });

  it('emits each final window once, when stream time passes its end + 1 + grace', () => {
    const driver = finalDriver(spec);

    // 100000 creates its left window [70000, 100000].
    expect(step(driver, () => driver.send('k', 1, 100_000))).toEqual([]);

    // 115000 creates 100000's right window and its own left window. Stream time 115000 closes
    // [70000, 100000] (100000 + 1 + 10000 = 110001 <= 115000).
    expect(step(driver, () => driver.send('k', 2, 115_000))).toEqual([win(70_000, 100_000, [1])]);

    // 140000 creates 115000's right window and its own left window. Stream time 140000 closes
    // [85000, 115000] (125001 <= 140000); [100001, 130001] stays open until 140002.
    expect(step(driver, () => driver.send('k', 3, 140_000))).toEqual([win(85_000, 115_000, [1, 2])]);

    // 112000 is not late (112000 + 40001 = 152001 > 140000). It joins the open windows containing it,
    // [100001, 130001] and [110000, 140000]; [85000, 115000] contains it too but is closed. Its left
    // window [82000, 112000] would already be closed (122001 <= 140000), so it is not created. Its right
    // window [112001, 142001] holds the later records 115000 and 140000, so it is created.
    expect(step(driver, () => driver.send('k', 4, 112_000))).toEqual([]);

    driver.end();
    expect(seen(driver).slice(2).sort(byStart)).toEqual([
      // right window of 100000, created by 115000, joined by 112000
      win(100_001, 130_001, [4, 2]),
      // left window of 140000, joined by 112000
      win(110_000, 140_000, [4, 2, 3]),
      // right window of 112000, created with the records already inside it
      win(112_001, 142_001, [2, 3]),
      // right window of 115000, created by 140000
      win(115_001, 145_001, [3]),
    ]);
    expect(driver.late()).toEqual([]);
    expect(driver.stateEntries()).toBe(0);
  });

  it('emits the updates of KStreamSlidingWindowAggregate, record by record', () => {
    const driver = updatesDriver(spec);

    // No window exists yet: only the new left window.
    expect(step(driver, () => driver.send('k', 1, 100_000))).toEqual([win(70_000, 100_000, [1])]);

    // No existing window contains 115000. createWindows: the previous record's (100000) right window,
    // then the new left window, which starts from the left aggregate {1}. No later record: no right window.
    expect(step(driver, () => driver.send('k', 2, 115_000))).toEqual([
      win(100_001, 130_001, [2]),
      win(85_000, 115_000, [1, 2]),
    ]);

    // Likewise for 140000: the previous record's (115000) right window, then the new left window.
    expect(step(driver, () => driver.send('k', 3, 140_000))).toEqual([
      win(115_001, 145_001, [3]),
      win(110_000, 140_000, [2, 3]),
    ]);

    // 112000: first every existing window containing it, in descending start order, as Kafka's default
    // stores iterate backwards (`processReverse`); [85000, 115000] is expired and skipped
    // (115000 < 140000 − 10000). The previous record's right window [100001, 130001] exists already,
    // and the left window [82000, 112000] is expired, so neither is forwarded. Last, the new right
    // window, holding the records in [112001, 142001] ({2, 3}).
    expect(step(driver, () => driver.send('k', 4, 112_000))).toEqual([
      win(110_000, 140_000, [4, 2, 3]),
      win(100_001, 130_001, [4, 2]),
      win(112_001, 142_001, [2, 3]),
    ]);

    // Closing emits nothing more in updates mode.
    expect(step(driver, () => driver.end())).toEqual([]);
    expect(driver.outputs.every((r) => r.value.emit === 'updates')).toBe(true);
    expect(driver.late()).toEqual([]);
    expect(driver.stateEntries()).toBe(0);
  });
});

describe('sliding windows: records before D', () => {
  it('puts a record at 2000 with D = 5 s into [0, 5000]', () => {
    const driver = finalDriver(sliding('5s'));
    driver.send('k', 1, 2_000).end();
    // processEarly: no window [2000 − 5000, 2000]; the combined window [0, D] holds every early record.
    expect(seen(driver)).toEqual([win(0, 5_000, [1])]);
    expect(driver.stateEntries()).toBe(0);
  });

  it('emits the updates of processEarly for two early records', () => {
    const driver = updatesDriver(sliding('5s'));

    // The combined window [0, 5000] is created for the first early record.
    expect(step(driver, () => driver.send('k', 1, 2_000))).toEqual([win(0, 5_000, [1])]);

    // processEarly for 4000: the previous record (2000) gets its right window [2001, 7001] first; the
    // combined window is updated last.
    expect(step(driver, () => driver.send('k', 2, 4_000))).toEqual([
      win(2_001, 7_001, [2]),
      win(0, 5_000, [1, 2]),
    ]);
  });

  it('emits the updates of processEarly for an early record before a later early one', () => {
    const driver = updatesDriver(sliding('5s'));

    expect(step(driver, () => driver.send('k', 1, 4_000))).toEqual([win(0, 5_000, [1])]);

    // processEarly for 2000: no window but [0, 5000] contains it, and that window holds a later record
    // (4000 > 2000), so its aggregate becomes the new right window [2001, 7001]; [0, 5000] is updated last.
    expect(step(driver, () => driver.send('k', 2, 2_000))).toEqual([
      win(2_001, 7_001, [1]),
      win(0, 5_000, [2, 1]),
    ]);
  });

  it('emits the updates of processEarly for an early record behind a later one', () => {
    // Grace 1 s keeps [0, 5000] open at stream time 6000 (5000 >= 6000 − 1000).
    const driver = updatesDriver(sliding('5s', { grace: '1s' }));

    // 6000 >= D: its left window [1000, 6000].
    expect(step(driver, () => driver.send('k', 1, 6_000))).toEqual([win(1_000, 6_000, [1])]);

    // processEarly for 2000: the existing window containing it is updated, then its right window
    // [2001, 7001] is created from that window's aggregate (6000 > 2000), and last the combined
    // window [0, 5000] is created.
    expect(step(driver, () => driver.send('k', 2, 2_000))).toEqual([
      win(1_000, 6_000, [2, 1]),
      win(2_001, 7_001, [1]),
      win(0, 5_000, [2]),
    ]);
  });
});

describe('sliding windows: a record whose own windows closed before it arrived', () => {
  // D = 5 s, no out-of-orderness: key k at 10000 takes the watermark to 10000. Key j at 6000 then is
  // not late, since a window [s, s + 5000] with 5000 ≤ s ≤ 6000 is still open, but its own left window
  // [1000, 6000] has closed and j has no window yet: only a later record of j can create one around it.

  it('is counted in the left window of a later record that covers it', () => {
    const driver = finalDriver(sliding('5s'));
    driver.send('k', 1, 10_000).send('j', 2, 6_000).send('j', 3, 10_500).end();
    const ofJ = driver.outputs.filter((r) => r.key === 'j').map((r) => r.value);
    // 10500's left window holds both; 6000's right window [6001, 11001] is created by 10500 as well.
    const windows = ofJ.map((r) => ({ start: r.window.start, end: r.window.end, values: r.value }));
    expect(windows.sort(byStart)).toEqual([win(5_500, 10_500, [2, 3]), win(6_001, 11_001, [3])]);
    expect(driver.late()).toEqual([]);
  });

  it('is diverted as late, not dropped, when no window ever comes to count it', () => {
    const driver = finalDriver(sliding('5s'));
    driver.send('k', 1, 10_000).send('j', 2, 6_000);
    expect(driver.late()).toEqual([]);
    driver.end();
    expect(driver.outputs.filter((r) => r.key === 'j')).toEqual([]);
    expect(driver.late()).toEqual([expect.objectContaining({ key: 'j', value: 2, timestamp: 6_000 })]);
    expect(driver.diverted[0]?.error).toMatchObject({
      code: 'RECORD_LATE',
      message: expect.stringContaining('no sliding window containing it was created'),
    });
    expect(driver.stateEntries()).toBe(0);
  });
});
