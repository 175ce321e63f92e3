import fc from 'fast-check';
import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  aggregators,
  hopping,
  record,
  session,
  sliding,
  tumbling,
  Watermark,
  type Chunk,
  type Diverted,
  type KStream,
  type WindowResult,
  type WindowSpec,
} from '../../../src/index.js';
import { TestDriver, type TestDriverOptions } from '../../../src/testing/index.js';
import { windowAggregate } from '../../../src/windows/windowAggregate.js';

type Counts = WindowResult<number, 'final'>;

/** A driver counting records per key and window. */
function counting(spec: WindowSpec, options: TestDriverOptions = {}) {
  return TestDriver.create(
    (input: KStream<string, number>) => input.window(spec).aggregate(aggregators.count()),
    options,
  );
}

/** The origin the test driver gives the n-th record of partition 0. */
const origin = (offset: number) => ({ topic: 'input', partition: 0, offset: String(offset) });

/** What a user reads off a final result: key, window bounds, count. */
function summary(r: { key: string; value: Counts }) {
  return { key: r.key, start: r.value.window.start, end: r.value.window.end, count: r.value.value };
}

describe('windowAggregate: grace', () => {
  it('counts a record behind the watermark while its window is within grace, and diverts it after', () => {
    // tumbling 10 s, grace 5 s, no out-of-orderness: [0, 10 s) closes when the watermark reaches 15 s.
    const driver = counting(tumbling('10s', { grace: '5s' }));
    driver
      .send('a', 1, 1_000)
      .send('a', 2, 12_000)
      .send('a', 3, 8_000) // 4 s behind the watermark: within grace, counted
      .send('a', 4, 14_999)
      .send('a', 5, 0); // the window is still open one millisecond before it closes
    expect(driver.outputs).toEqual([]);
    expect(driver.late()).toEqual([]);

    driver.send('a', 6, 15_000); // watermark 15 s: [0, 10 s) closes
    expect(driver.outputs.map(summary)).toEqual([{ key: 'a', start: 0, end: 10_000, count: 3 }]);

    driver.send('a', 7, 9_999); // beyond grace: late
    expect(driver.late().map((r) => r.value)).toEqual([7]);

    driver.end();
    expect(driver.outputs.map(summary)).toEqual([
      { key: 'a', start: 0, end: 10_000, count: 3 },
      { key: 'a', start: 10_000, end: 20_000, count: 3 },
    ]);
  });

  it('defaults to no grace: the watermark delay absorbs disorder', () => {
    const driver = counting(tumbling('10s'), { watermark: { maxOutOfOrderness: '5s' } });
    driver.send('a', 1, 1_000).send('a', 2, 14_999).send('a', 3, 9_000);
    expect(driver.late()).toEqual([]);
    driver.send('a', 4, 15_000).send('a', 5, 9_500);
    expect(driver.outputs.map(summary)).toEqual([{ key: 'a', start: 0, end: 10_000, count: 2 }]);
    expect(driver.late().map((r) => r.value)).toEqual([5]);
  });
});

describe('windowAggregate: late records', () => {
  it('diverts a late record with reason late, code RECORD_LATE, its origin and the operator name', () => {
    const driver = counting(tumbling('10s'));
    driver.send('a', 1, 1_000).send('a', 2, 10_000).send('b', 3, 5_000, { partition: 0 });

    expect(driver.diverted).toHaveLength(1);
    const [late] = driver.diverted as [Diverted];
    expect(late.reason).toBe('late');
    expect(late.operator).toBe('tumbling-window');
    expect(late.record).toEqual(
      expect.objectContaining({
        key: 'b',
        value: 3,
        timestamp: 5_000,
        origin: { topic: 'input', partition: 0, offset: '2' },
      }),
    );
    expect(late.error).toEqual(
      expect.objectContaining({
        code: 'RECORD_LATE',
        retriable: false,
        origin: { topic: 'input', partition: 0, offset: '2' },
      }),
    );
    expect(driver.late()).toEqual([late.record]);
  });

  it('names the operator that diverted it after the aggregation', () => {
    const driver = TestDriver.create((input: KStream<string, number>) =>
      input.window(tumbling('1m')).aggregate(aggregators.sum(), { name: 'volume-1m' }),
    );
    driver.send('a', 1, 70_000).send('a', 2, 10_000);
    expect(driver.diverted.map((d) => d.operator)).toEqual(['volume-1m']);
  });

  it('is not late while one of its hopping windows is still open, and counts only there', () => {
    // hopping 10 s every 5 s: 7 s is in [0, 10 s) and [5 s, 15 s).
    const driver = counting(hopping('10s', '5s'));
    driver.send('a', 1, 10_000).send('a', 2, 7_000);
    expect(driver.late()).toEqual([]);
    driver.end();
    expect(driver.outputs.map(summary)).toEqual([
      { key: 'a', start: 5_000, end: 15_000, count: 2 },
      { key: 'a', start: 10_000, end: 20_000, count: 1 },
    ]);
  });

  it.each([NaN, Infinity, -1])(
    'diverts a record whose event time is %d as invalid, and the rest of the stream is unaffected',
    (timestamp) => {
      const driver = counting(tumbling('10s'));
      // The bad record goes first and is checked at once: kept in a window, it could stall the close loop.
      driver.send('a', 1, timestamp);
      expect(driver.diverted).toEqual([
        expect.objectContaining({
          reason: 'invalid',
          error: expect.objectContaining({ code: 'TIMESTAMP_INVALID', origin: origin(0) }),
        }),
      ]);
      driver.send('a', 2, 1_000).send('a', 3, 2_000).end();
      expect(driver.outputs.map(summary)).toEqual([{ key: 'a', start: 0, end: 10_000, count: 2 }]);
      expect(driver.late()).toEqual([]);
      expect(driver.stateEntries()).toBe(0);
    },
  );

  it('diverts a record that an upstream map gave an invalid event time', () => {
    const driver = TestDriver.create((input: KStream<string, string>) =>
      input
        .map((r) => ({ key: r.key, value: r.value, timestamp: Date.parse(r.value) }))
        .window(tumbling('1m'))
        .aggregate(aggregators.count()),
    );
    driver.send('a', 'not a date', 0);
    expect(driver.diverted).toEqual([
      expect.objectContaining({
        reason: 'invalid',
        error: expect.objectContaining({ code: 'TIMESTAMP_INVALID' }),
      }),
    ]);
    driver.send('a', '1970-01-01T00:00:30Z', 0).end();
    expect(driver.outputs.map(summary)).toEqual([{ key: 'a', start: 0, end: 60_000, count: 1 }]);
  });

  /** Records as [key, timestamp, partition], sent one at a time. */
  const inputs = fc.array(
    fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 120_000 }), fc.constantFrom(0, 1)),
    { maxLength: 60 },
  );

  it.each([
    ['tumbling 10 s', 10_000, 10_000],
    ['hopping 10 s every 5 s', 10_000, 5_000],
    ['hopping 30 s every 20 s', 30_000, 20_000],
  ] as const)(
    '%s: drops nothing silently — every record is counted in each open window containing it, or is late',
    (_name, sizeMs, advanceMs) => {
      fc.assert(
        fc.property(inputs, fc.nat({ max: 20_000 }), fc.nat({ max: 20_000 }), (records, graceMs, delayMs) => {
          const spec =
            sizeMs === advanceMs
              ? tumbling(sizeMs, { grace: graceMs })
              : hopping(sizeMs, advanceMs, { grace: graceMs });
          const driver = counting(spec, {
            partitions: [0, 1],
            watermark: { maxOutOfOrderness: delayMs },
          });
          // What DESIGN §3 says: window [s, s + size) accepts a record until the watermark reaches s + size + grace.
          const expected = new Map<string, number>();
          const expectedLate: number[] = [];
          records.forEach(([key, timestamp, partition], i) => {
            const watermark = Math.max(-Infinity, ...driver.watermarks);
            let open = 0;
            for (
              let s = timestamp - (timestamp % advanceMs);
              s > timestamp - sizeMs && s >= 0;
              s -= advanceMs
            ) {
              if (watermark >= s + sizeMs + graceMs) continue;
              open++;
              const id = `${key}@${s}`;
              expected.set(id, (expected.get(id) ?? 0) + 1);
            }
            if (open === 0) expectedLate.push(i);
            driver.send(key, i, timestamp, { partition });
          });
          driver.end();

          const emitted = driver.outputs.map((r) => `${r.key}@${r.value.window.start}`);
          expect(new Set(emitted).size).toBe(emitted.length);
          expect(
            new Map(driver.outputs.map((r) => [`${r.key}@${r.value.window.start}`, r.value.value])),
          ).toEqual(expected);
          expect(driver.late().map((r) => r.value)).toEqual(expectedLate);
          expect(driver.stateEntries()).toBe(0);
        }),
        { numRuns: 150 },
      );
    },
  );
});

describe('windowAggregate: emit modes', () => {
  it("'final' emits each window once, when the watermark closes it", () => {
    const driver = counting(tumbling('10s'));
    driver.send('a', 1, 1_000).send('a', 2, 2_000).send('b', 3, 3_000).send('a', 4, 9_999);
    expect(driver.outputs).toEqual([]);

    driver.send('a', 5, 11_000);
    // Windows closing at the same watermark come out in no particular key order.
    expect([...driver.outputs].sort((x, y) => x.key.localeCompare(y.key))).toEqual([
      {
        key: 'a',
        value: { emit: 'final', window: { start: 0, end: 10_000 }, value: 3 },
        timestamp: 9_999,
        headers: {},
      },
      {
        key: 'b',
        value: { emit: 'final', window: { start: 0, end: 10_000 }, value: 1 },
        timestamp: 9_999,
        headers: {},
      },
    ]);

    driver.send('a', 6, 12_000).send('a', 7, 19_000);
    expect(driver.outputs).toHaveLength(2);

    driver.end();
    expect(driver.outputs.slice(2)).toEqual([
      {
        key: 'a',
        value: { emit: 'final', window: { start: 10_000, end: 20_000 }, value: 3 },
        timestamp: 19_999,
        headers: {},
      },
    ]);
    expectTypeOf(driver.values()).toEqualTypeOf<WindowResult<number, 'final'>[]>();
  });

  it("'updates' emits the current result on every change, marked emit: 'updates'", () => {
    const driver = TestDriver.create((input: KStream<string, number>) =>
      input.window(tumbling('10s')).aggregate(aggregators.sum(), { emit: 'updates' }),
    );
    expectTypeOf(driver.values()).toEqualTypeOf<WindowResult<number, 'updates'>[]>();

    driver.send('a', 5, 1_000);
    expect(driver.outputs).toEqual([
      {
        key: 'a',
        value: { emit: 'updates', window: { start: 0, end: 10_000 }, value: 5 },
        timestamp: 9_999,
        headers: {},
      },
    ]);
    driver.send('a', 7, 2_000).send('b', 1, 3_000).send('a', 2, 11_000);
    driver.send('a', 100, 4_000); // late: no update
    driver.end();

    expect(driver.outputs.map((r) => [r.key, r.value.window.start, r.value.value])).toEqual([
      ['a', 0, 5],
      ['a', 0, 12],
      ['b', 0, 1],
      ['a', 10_000, 2],
    ]);
    expect(driver.values().every((v) => v.emit === 'updates')).toBe(true);
    expect(driver.late().map((r) => r.value)).toEqual([100]);
  });

  it("'updates' on hopping windows updates every window containing the record", () => {
    const driver = TestDriver.create((input: KStream<string, number>) =>
      input.window(hopping('10s', '5s')).aggregate(aggregators.count(), { emit: 'updates' }),
    );
    driver.send('a', 1, 7_000);
    expect(driver.values()).toEqual([
      { emit: 'updates', window: { start: 0, end: 10_000 }, value: 1 },
      { emit: 'updates', window: { start: 5_000, end: 15_000 }, value: 1 },
    ]);
  });
});

describe('windowAggregate: state', () => {
  it.each([
    ['tumbling', tumbling('10s', { grace: '2s' })],
    ['hopping', hopping('10s', '2s')],
    ['sliding', sliding('10s')],
    ['session', session('5s')],
  ] as const)('%s windows release their state once closed', (_kind, spec) => {
    const driver = counting(spec, { watermark: { maxOutOfOrderness: '3s' } });
    for (let i = 0; i < 50; i++) driver.send(`k${i % 7}`, i, 1_000 + ((i * 7_919) % 60_000));
    expect(driver.stateEntries()).toBeGreaterThan(0);
    driver.end();
    expect(driver.outputs.length).toBeGreaterThan(0);
    expect(driver.stateEntries()).toBe(0);
  });

  it('releases a closed window before the input ends', () => {
    const driver = counting(tumbling('10s'));
    driver.send('a', 1, 1_000).send('b', 2, 2_000);
    expect(driver.stateEntries()).toBeGreaterThan(0);
    driver.advanceWatermark(10_000);
    expect(driver.stateEntries()).toBe(0);
    expect(driver.isComplete()).toBe(false);
  });
});

describe('windowAggregate: idle close', () => {
  const t0 = Date.UTC(2024, 7, 9);
  const options: TestDriverOptions = {
    startTime: t0,
    watermark: { maxOutOfOrderness: '1m', idleTimeout: '30s', idleClose: true },
  };

  it('closes the last window of a quiet stream as the wall clock passes its end plus the delay', () => {
    const driver = counting(tumbling('1m'), options);
    driver.send('BTCUSDT', 1, t0 + 1_000).send('BTCUSDT', 2, t0 + 2_000);

    driver.advanceClock('1m59s');
    expect(driver.outputs).toEqual([]);
    // The watermark trails the clock by maxOutOfOrderness: it reaches t0 + 1m at t0 + 2m.
    driver.advanceClock('1s');
    expect(driver.outputs.map(summary)).toEqual([{ key: 'BTCUSDT', start: t0, end: t0 + 60_000, count: 2 }]);
    expect(driver.stateEntries()).toBe(0);
    expect(driver.isComplete()).toBe(false);
  });

  it('does not close it during a backlog, and does once caught up', () => {
    const driver = counting(tumbling('1m'), options);
    driver.setCaughtUp(false).send('BTCUSDT', 1, t0 + 1_000);

    driver.advanceClock('10m');
    expect(driver.outputs).toEqual([]);

    driver.setCaughtUp(true).advanceClock('1s');
    expect(driver.outputs.map(summary)).toEqual([{ key: 'BTCUSDT', start: t0, end: t0 + 60_000, count: 1 }]);
  });

  it('is opt-in: without idleClose a quiet stream keeps its last window open', () => {
    const driver = counting(tumbling('1m'), {
      startTime: t0,
      watermark: { maxOutOfOrderness: '1m', idleTimeout: '30s' },
    });
    driver.send('BTCUSDT', 1, t0 + 1_000).advanceClock('1h');
    expect(driver.outputs).toEqual([]);
    driver.end();
    expect(driver.outputs).toHaveLength(1);
  });
});

describe('windowAggregate operator (marbles)', () => {
  it('emits a closed window before the watermark marker that closed it, and passes late records aside', () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    testScheduler.run(({ cold, expectObservable }) => {
      const r = (value: number, timestamp: number) => record('a', value, timestamp);
      const result = (start: number, value: number) =>
        record('a', { emit: 'final' as const, window: { start, end: start + 10 }, value }, start + 9);
      const input: Record<string, Chunk<string, number>> = {
        a: [r(1, 1), r(2, 4), new Watermark(4)],
        b: [r(3, 12), new Watermark(12)],
        c: [r(4, 8)],
        d: [new Watermark(Infinity)],
      };
      const output: Record<string, Chunk<string, Counts>> = {
        x: [new Watermark(4)],
        y: [result(0, 2), new Watermark(12)],
        z: [result(10, 1), new Watermark(Infinity)],
      };
      const diverted = new Subject<Diverted>();
      const e1 = cold('    a-b-c-d|', input);
      const expected = '   x-y---z|';
      const sideOut = '    ----l---';

      expectObservable(
        e1.pipe(
          windowAggregate(tumbling(10), aggregators.count(), 'final', { divert: (d) => diverted.next(d) }),
        ),
      ).toBe(expected, output);
      expectObservable(diverted).toBe(sideOut, {
        l: expect.objectContaining({ reason: 'late', record: r(4, 8) }),
      });
    });
  });
});
