import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  aggregators,
  hopping,
  session,
  sliding,
  tumbling,
  type Aggregator,
  type KStream,
  type WindowResult,
  type WindowSpec,
} from '../../../src/index.js';
import { TestDriver, type TestInput } from '../../../src/testing/index.js';
import {
  referenceWindows,
  type RefOptions,
  type RefRecord,
  type RefWindow,
  type RefWindowSpec,
} from '../../reference/windowReference.js';

/**
 * The engine against the brute-force reference (test/reference/windowReference.ts) on random keyed,
 * disordered, multi-partition streams. Each record's value is its arrival index, so a window's values
 * identify its records exactly and the tests can order them by event time.
 */

interface Case {
  readonly options: RefOptions;
  readonly records: readonly RefRecord[];
  /** `batchEnds[i]`: record i is the last of a batch handed to the driver at once. */
  readonly batchEnds: readonly boolean[];
}

/** A window result as the tests compare it; `end` is exclusive. */
interface Final {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly values: readonly number[];
}

// ---------------------------------------------------------------------------------------------------
// Random cases
// ---------------------------------------------------------------------------------------------------

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The step on which a window kind's boundaries fall (size, pane, D + 1 or gap). */
function unitOf(window: RefWindowSpec): number {
  switch (window.kind) {
    case 'tumbling':
      return window.sizeMs;
    case 'hopping':
      return gcd(window.sizeMs, window.advanceMs);
    case 'sliding':
      return window.timeDifferenceMs + 1;
    case 'session':
      return window.gapMs;
  }
}

/**
 * A duration up to `max`: uniformly random, or a multiple of `unit` off by at most 1, so that records,
 * grace and delay often meet window boundaries exactly (where off-by-one errors live).
 */
const near = (unit: number, max: number): fc.Arbitrary<number> =>
  fc.oneof(
    fc.nat({ max }),
    fc
      .tuple(fc.nat({ max: Math.floor(max / unit) }), fc.integer({ min: -1, max: 1 }))
      .map(([k, off]) => Math.max(0, k * unit + off)),
  );

/**
 * Streams of up to 60 records over 2-4 keys and 1-3 partitions with timestamps in 0..200: either as drawn,
 * or ascending with up to 60 ms of disorder (closer to a real feed, so fewer records are late).
 */
const caseOf = (windows: fc.Arbitrary<RefWindowSpec>): fc.Arbitrary<Case> =>
  windows.chain((window) => {
    const unit = unitOf(window);
    const row = fc.record({
      key: fc.nat({ max: 3 }),
      time: near(unit, 200),
      jitter: near(unit, 60),
      partition: fc.nat({ max: 2 }),
      endsBatch: fc.boolean(),
    });
    return fc
      .record({
        graceMs: near(unit, 30),
        maxOutOfOrdernessMs: near(unit, 50),
        keyCount: fc.integer({ min: 2, max: 4 }),
        partitionCount: fc.integer({ min: 1, max: 3 }),
        nearlySorted: fc.boolean(),
        rows: fc.array(row, { maxLength: 60, size: 'max' }),
      })
      .map(({ graceMs, maxOutOfOrdernessMs, keyCount, partitionCount, nearlySorted, rows }): Case => {
        const sortedTimes = rows.map((r) => r.time).sort((a, b) => a - b);
        const records = rows.map((r, i): RefRecord => ({
          key: `k${r.key % keyCount}`,
          value: i,
          timestamp: nearlySorted ? Math.max(0, sortedTimes[i]! - r.jitter) : r.time,
          partition: r.partition % partitionCount,
        }));
        const partitions = Array.from({ length: partitionCount }, (_, p) => p);
        return {
          options: { window, graceMs, maxOutOfOrdernessMs, partitions },
          records,
          batchEnds: rows.map((r) => r.endsBatch),
        };
      });
  });

const tumblingSpec = fc
  .integer({ min: 1, max: 60 })
  .map((sizeMs): RefWindowSpec => ({ kind: 'tumbling', sizeMs }));

/** Any advance up to the size, so panes (gcd) range from the size down to 1 ms. */
const hoppingSpec = fc
  .record({ sizeMs: fc.integer({ min: 1, max: 60 }), advance: fc.integer({ min: 1, max: 60 }) })
  .map(({ sizeMs, advance }): RefWindowSpec => ({
    kind: 'hopping',
    sizeMs,
    advanceMs: ((advance - 1) % sizeMs) + 1,
  }));

const slidingSpec = fc
  .nat({ max: 50 })
  .map((timeDifferenceMs): RefWindowSpec => ({ kind: 'sliding', timeDifferenceMs }));

const sessionSpec = fc
  .integer({ min: 1, max: 50 })
  .map((gapMs): RefWindowSpec => ({ kind: 'session', gapMs }));

// ---------------------------------------------------------------------------------------------------
// Running the engine
// ---------------------------------------------------------------------------------------------------

function engineSpec({ window, graceMs }: RefOptions): WindowSpec {
  const options = { grace: graceMs };
  switch (window.kind) {
    case 'tumbling':
      return tumbling(window.sizeMs, options);
    case 'hopping':
      return hopping(window.sizeMs, window.advanceMs, options);
    case 'sliding':
      return sliding(window.timeDifferenceMs, options);
    case 'session':
      return session(window.gapMs, options);
  }
}

interface EngineRun<R> {
  /** Every output in order, with the batch after which it came out (the batch count for `end()`). */
  readonly outputs: readonly {
    readonly key: string;
    readonly timestamp: number;
    readonly result: WindowResult<R>;
    readonly step: number;
  }[];
  readonly late: readonly RefRecord[];
  readonly stateEntries: number;
}

function runEngine<A, R>(
  c: Case,
  aggregator: Aggregator<number, A, R>,
  emit: 'final' | 'updates',
): EngineRun<R> {
  const spec = engineSpec(c.options);
  const driver = TestDriver.create(
    (input: KStream<string, number>): KStream<string, WindowResult<R>> =>
      emit === 'final'
        ? input.window(spec).aggregate(aggregator)
        : input.window(spec).aggregate(aggregator, { emit: 'updates' }),
    {
      watermark: { maxOutOfOrderness: c.options.maxOutOfOrdernessMs },
      partitions: c.options.partitions,
    },
  );
  const outputs: EngineRun<R>['outputs'][number][] = [];
  let step = 0;
  const collectOutputs = (): void => {
    for (const r of driver.outputs.slice(outputs.length)) {
      outputs.push({ key: r.key, timestamp: r.timestamp, result: r.value, step });
    }
    step++;
  };
  let batch: TestInput<string, number>[] = [];
  c.records.forEach((r, i) => {
    batch.push({ key: r.key, value: r.value, timestamp: r.timestamp, partition: r.partition });
    if (c.batchEnds[i] || i === c.records.length - 1) {
      driver.sendAll(batch);
      batch = [];
      collectOutputs();
    }
  });
  driver.end();
  collectOutputs();
  return {
    outputs,
    late: driver.late().map((r) => ({
      key: r.key as string,
      value: r.value as number,
      timestamp: r.timestamp,
      partition: r.origin?.partition ?? -1,
    })),
    stateEntries: driver.stateEntries(),
  };
}

// ---------------------------------------------------------------------------------------------------
// Expectations from the reference
// ---------------------------------------------------------------------------------------------------

const compareFinals = (a: Final, b: Final): number =>
  a.key.localeCompare(b.key) || a.start - b.start || a.end - b.end;

const canonical = <F extends Final>(finals: readonly F[]): F[] => [...finals].sort(compareFinals);

const windowId = (w: Final): string => `${w.key}@${w.start}..${w.end}`;

/** Arrival indexes (record values) in event-time order, arrival order among equal timestamps. */
function byEventTime(c: Case, values: readonly number[]): number[] {
  const time = (v: number): number => c.records[v]!.timestamp;
  return [...values].sort((a, b) => time(a) - time(b) || a - b);
}

/** The operator watermark after each record: the minimum over partitions of max timestamp − delay. */
function watermarksAfterEachRecord(c: Case): number[] {
  const maxByPartition = new Map<number, number>();
  return c.records.map((r) => {
    maxByPartition.set(r.partition, Math.max(maxByPartition.get(r.partition) ?? -Infinity, r.timestamp));
    return Math.min(
      ...c.options.partitions.map(
        (p) => (maxByPartition.get(p) ?? -Infinity) - c.options.maxOutOfOrdernessMs,
      ),
    );
  });
}

/** The batch after which a window must be emitted: the first one whose watermark closes it. */
function closingStep(c: Case, w: RefWindow, watermarks: readonly number[]): number {
  const { window, graceMs } = c.options;
  // A session [first, last] is reported with end last + 1 and closes at last + gap + 1 + grace.
  const closesAt = w.end + graceMs + (window.kind === 'session' ? window.gapMs : 0);
  const record = watermarks.findIndex((wm) => wm >= closesAt);
  const batchOf = (i: number): number => c.batchEnds.slice(0, i).filter(Boolean).length;
  const batches = c.records.length === 0 ? 0 : batchOf(c.records.length - 1) + 1;
  return record === -1 ? batches : batchOf(record);
}

// ---------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------

/**
 * Late records in arrival order (each record's value is its arrival index). Records are diverted when the
 * engine knows they are late: on arrival, or, for a sliding-window record that no window came to count,
 * when the last window that could have counted it closes.
 */
const inArrivalOrder = <R extends { readonly value: number }>(late: readonly R[]): R[] =>
  [...late].sort((a, b) => a.value - b.value);

/** Final mode: the same windows, contents and late records as the reference, each window emitted on time. */
function checkFinals(c: Case): void {
  const reference = referenceWindows(c.records, c.options);
  const run = runEngine(c, aggregators.collect<number>(), 'final');

  const finals = run.outputs.map(({ key, timestamp, result, step }) => {
    expect(result.emit).toBe('final');
    // An output record is stamped with the window's last instant.
    expect(timestamp).toBe(result.window.end - 1);
    return { key, start: result.window.start, end: result.window.end, values: result.value, step };
  });
  const expected = reference.finals.map((w) => ({ ...w, values: byEventTime(c, w.values) }));
  expect(canonical(finals).map(({ step: _, ...w }) => w)).toEqual(canonical(expected));

  const watermarks = watermarksAfterEachRecord(c);
  expect(canonical(finals).map((w) => `${windowId(w)} after batch ${w.step}`)).toEqual(
    canonical(expected).map((w) => `${windowId(w)} after batch ${closingStep(c, w, watermarks)}`),
  );

  expect(inArrivalOrder(run.late)).toEqual(reference.late);
  expect(run.stateEntries).toBe(0);
}

/**
 * Updates mode: the last update of every final window is its final result, the late records are the same,
 * and (except for sessions, whose intermediate sessions merge away) no other window is updated.
 */
function checkUpdates(c: Case): void {
  const reference = referenceWindows(c.records, c.options);
  const run = runEngine(c, aggregators.collect<number>(), 'updates');

  const lastUpdate = new Map<string, readonly number[]>();
  for (const { key, result } of run.outputs) {
    expect(result.emit).toBe('updates');
    lastUpdate.set(windowId({ key, ...result.window, values: [] }), result.value);
  }
  const expected = new Map(reference.finals.map((w) => [windowId(w), byEventTime(c, w.values)]));
  if (c.options.window.kind === 'session') {
    for (const [id, values] of expected) expect([id, lastUpdate.get(id)]).toEqual([id, values]);
  } else {
    expect(lastUpdate).toEqual(expected);
  }

  expect(inArrivalOrder(run.late)).toEqual(reference.late);
  expect(run.stateEntries).toBe(0);
}

const RUNS = 300;

describe('windows agree with the reference model on random disordered streams', () => {
  test('tumbling', () => {
    fc.assert(
      fc.property(caseOf(tumblingSpec), (c) => {
        checkFinals(c);
        checkUpdates(c);
      }),
      { numRuns: RUNS },
    );
  });

  test('hopping', () => {
    fc.assert(
      fc.property(caseOf(hoppingSpec), (c) => {
        checkFinals(c);
        checkUpdates(c);
      }),
      { numRuns: RUNS },
    );
  });

  test('sliding', () => {
    fc.assert(
      fc.property(caseOf(slidingSpec), (c) => {
        checkFinals(c);
        checkUpdates(c);
      }),
      { numRuns: RUNS },
    );
  });

  test('session', () => {
    fc.assert(
      fc.property(caseOf(sessionSpec), (c) => {
        checkFinals(c);
        checkUpdates(c);
      }),
      { numRuns: RUNS },
    );
  });

  test('hopping with a user aggregator that has no merge', () => {
    // Without `merge`, panes cannot be combined: the engine keeps each pane's entries and folds a window's
    // entries in event-time order. The aggregator records the order it was fed in.
    const fedInOrder: Aggregator<number, { value: number; timestamp: number }[], number[]> = {
      empty: () => [],
      add: (acc, value, timestamp) => [...acc, { value, timestamp }],
      result: (acc) => {
        const times = acc.map((e) => e.timestamp);
        expect(times).toEqual([...times].sort((a, b) => a - b));
        return acc.map((e) => e.value).sort((a, b) => a - b);
      },
    };
    const overlapping = fc
      .record({ sizeMs: fc.integer({ min: 2, max: 60 }), advance: fc.integer({ min: 1, max: 59 }) })
      .map(({ sizeMs, advance }): RefWindowSpec => ({
        kind: 'hopping',
        sizeMs,
        advanceMs: ((advance - 1) % (sizeMs - 1)) + 1,
      }));
    fc.assert(
      fc.property(caseOf(overlapping), (c) => {
        const reference = referenceWindows(c.records, c.options);
        const run = runEngine(c, fedInOrder, 'final');
        const finals = run.outputs.map(({ key, result }) => ({
          key,
          ...result.window,
          values: result.value,
        }));
        const expected = reference.finals.map((w) => ({ ...w, values: [...w.values].sort((a, b) => a - b) }));
        expect(canonical(finals)).toEqual(canonical(expected));
        expect(inArrivalOrder(run.late)).toEqual(reference.late);
        expect(run.stateEntries).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });
});
