import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { Watermark, record, type Chunk, type Diverted, type StreamRecord } from '../../../src/index.js';
import { withWatermarks, type WatermarkRuntime } from '../../../src/core/withWatermarks.js';

type Rec = StreamRecord<string, string>;
type C = Chunk<string, string>;

/** A record at event time `timestamp` read from `partition`. */
function at(timestamp: number, partition = 0): Rec {
  return record(
    'k',
    `v${timestamp}`,
    timestamp,
    {},
    { topic: 'trades', partition, offset: String(timestamp) },
  );
}

const wm = (time: number) => new Watermark(time);
const END: C = [wm(Infinity)];

describe('withWatermarks', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  /** Runtime whose diverted records go nowhere; tests about diverting build their own. */
  const runtime = (overrides: Partial<WatermarkRuntime> = {}): WatermarkRuntime => ({
    scheduler: testScheduler,
    divert: () => undefined,
    ...overrides,
  });

  it('follows each record that raises the watermark with a marker', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const values: Record<string, C> = {
        a: [at(100)],
        b: [at(90)],
        c: [at(120)],
        x: [at(100), wm(90)],
        y: [at(90)],
        z: [at(120), wm(110)],
        f: END,
      };
      const e1 = cold('    -a-b-c|   ', values);
      const e1subs = '     ^-----!   ';
      const expected = '   -x-y-z(f|)';

      expectObservable(e1.pipe(withWatermarks({ maxOutOfOrderness: 10 }, runtime()))).toBe(expected, values);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('puts markers between the records of a chunk, right after the record that raised it', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const values: Record<string, C> = {
        a: [at(100), at(130), at(120), at(140)],
        x: [at(100), wm(100), at(130), wm(130), at(120), at(140), wm(140)],
        f: END,
      };
      const e1 = cold('    a| ', values);
      const expected = '   x(f|)';

      expectObservable(e1.pipe(withWatermarks({}, runtime()))).toBe(expected, values);
    });
  });

  it('lets upstream watermark markers raise it, never lower it', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const values: Record<string, C> = {
        a: [at(100)],
        b: [wm(500)],
        c: [wm(300)],
        d: [at(200)],
        e: [at(600)],
        x: [at(100), wm(100)],
        y: [wm(500)],
        z: [at(200)],
        w: [at(600), wm(600)],
        f: END,
      };
      const e1 = cold('    a-b-c-d-e-|   ', values);
      const expected = '   x-y---z-w-(f|)';

      expectObservable(e1.pipe(withWatermarks({}, runtime()))).toBe(expected, values);
    });
  });

  it('is held back by a silent partition until it has been idle for idleTimeout', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const values: Record<string, C> = {
        a: [at(100, 0)],
        b: [at(200, 0)],
        c: [at(300, 0)],
        d: [at(400, 0)],
        w: [wm(300)],
        x: [at(400, 0), wm(400)],
        f: END,
      };
      // Partition 1 is silent from the start; partition 0 sends every 4 ms. idleTimeout 10 ms.
      const e1 = cold('    a---b---c---d-----------------|   ', values);
      const expected = '   a---b---c-w-x-----------------(f|)';

      expectObservable(e1.pipe(withWatermarks({ idleTimeout: 10 }, runtime({ partitions: [0, 1] })))).toBe(
        expected,
        values,
      );
    });
  });

  it('is held back again by an idle partition once it sends data', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const values: Record<string, C> = {
        a: [at(100, 0)],
        b: [at(200, 0)],
        c: [at(150, 1)],
        d: [at(300, 0)],
        e: [at(400, 1)],
        w: [wm(200)],
        y: [at(400, 1), wm(300)],
        f: END,
      };
      // Partition 1 turns idle at 10 ms and rejoins at 12 ms at 150: partition 0 reaching 300 at 14 ms no
      // longer raises the watermark, partition 1 reaching 400 at 16 ms does.
      const e1 = cold('    a---b-------c-d-e|   ', values);
      const expected = '   a---b-----w-c-d-y(f|)';

      expectObservable(e1.pipe(withWatermarks({ idleTimeout: 10 }, runtime({ partitions: [0, 1] })))).toBe(
        expected,
        values,
      );
    });
  });

  it('with idle close, follows the wall clock once caught up and quiet for idleTimeout', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const values: Record<string, C> = {
        a: [at(2)],
        x: [at(2), wm(2)],
        p: [wm(12)],
        q: [wm(22)],
        r: [wm(32)],
        f: END,
      };
      // Event time equals the virtual wall clock here; after 10 ms of quiet the clock drives the watermark.
      const e1 = hot('     --a--------------------------------|   ', values);
      const expected = '   --x---------p---------q---------r--(f|)';

      expectObservable(
        e1.pipe(withWatermarks({ idleTimeout: 10, idleClose: true }, runtime({ caughtUp: () => true }))),
      ).toBe(expected, values);
    });
  });

  it('with idle close, trails the wall clock by maxOutOfOrderness', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const values: Record<string, C> = {
        a: [at(5)],
        x: [at(5), wm(5 - 3)],
        p: [wm(15 - 3)],
        q: [wm(25 - 3)],
        f: END,
      };
      const e1 = hot('     -----a---------------------|   ', values);
      const expected = '   -----x---------p---------q-(f|)';

      expectObservable(
        e1.pipe(withWatermarks({ maxOutOfOrderness: 3, idleTimeout: 10, idleClose: true }, runtime())),
      ).toBe(expected, values);
    });
  });

  it('never advances by wall clock while not caught up', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const values: Record<string, C> = { a: [at(2)], x: [at(2), wm(2)], f: END };
      const e1 = hot('     --a--------------------------------|   ', values);
      const expected = '   --x--------------------------------(f|)';

      expectObservable(
        e1.pipe(withWatermarks({ idleTimeout: 10, idleClose: true }, runtime({ caughtUp: () => false }))),
      ).toBe(expected, values);
    });
  });

  it('starts following the wall clock once the backlog is read', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const values: Record<string, C> = { a: [at(2)], x: [at(2), wm(2)], q: [wm(22)], r: [wm(32)], f: END };
      let caughtUp = false;
      testScheduler.schedule(() => (caughtUp = true), 20);
      const e1 = hot('     --a--------------------------------|   ', values);
      const expected = '   --x-------------------q---------r--(f|)';

      expectObservable(
        e1.pipe(withWatermarks({ idleTimeout: 10, idleClose: true }, runtime({ caughtUp: () => caughtUp }))),
      ).toBe(expected, values);
    });
  });

  it('diverts records from the future, which do not move the watermark', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const far = at(1_000_000);
      const edge = at(4 + 100);
      const values: Record<string, C> = {
        a: [at(50)],
        b: [far],
        c: [at(60), edge],
        x: [at(50), wm(50)],
        y: [at(60), wm(60), edge, wm(104)],
        f: END,
      };
      const diverted = new Subject<Diverted>();
      const e1 = hot('     a-b-c-|   ', values);
      const expected = '   x---y-(f|)';
      const sideOut = '    --d---';

      expectObservable(
        e1.pipe(withWatermarks({ maxFutureSkew: 100 }, runtime({ divert: (d) => diverted.next(d) }))),
      ).toBe(expected, values);
      expectObservable(diverted).toBe(sideOut, {
        d: expect.objectContaining({
          record: far,
          reason: 'future',
          error: expect.objectContaining({ code: 'RECORD_FROM_FUTURE', origin: far.origin }),
        }),
      });
    });
  });

  it('diverts records whose event time is not a valid time, which do not move the watermark', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const bad = [at(NaN), at(Infinity), at(-1)];
      const values: Record<string, C> = {
        a: [at(10), ...bad, at(20)],
        x: [at(10), wm(10), at(20), wm(20)],
        f: END,
      };
      const diverted = new Subject<Diverted>();
      const e1 = cold('    -a-|   ', values);
      const expected = '   -x-(f|)';
      const sideOut = '    -(bcd)';

      expectObservable(e1.pipe(withWatermarks({}, runtime({ divert: (d) => diverted.next(d) })))).toBe(
        expected,
        values,
      );
      const invalid = (record: Rec) =>
        expect.objectContaining({
          record,
          reason: 'invalid',
          error: expect.objectContaining({ code: 'TIMESTAMP_INVALID', origin: record.origin }),
        });
      expectObservable(diverted).toBe(sideOut, {
        b: invalid(bad[0]!),
        c: invalid(bad[1]!),
        d: invalid(bad[2]!),
      });
    });
  });

  it('ends event time with Watermark(Infinity) when the input completes', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const values: Record<string, C> = { f: END };
      const e1 = cold<C>('   ---|   ');
      const expected = '     ---(f|)';

      expectObservable(e1.pipe(withWatermarks({}, runtime()))).toBe(expected, values);
    });
  });

  it('does not end event time when the input fails', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const values: Record<string, C> = { a: [at(7)], x: [at(7), wm(7)] };
      const e1 = cold('    -a-#', values, new Error('broker gone'));
      const expected = '   -x-#';

      expectObservable(e1.pipe(withWatermarks({}, runtime()))).toBe(
        expected,
        values,
        new Error('broker gone'),
      );
    });
  });

  it('stops its idleness timers when unsubscribed', () => {
    const ticks: number[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const values: Record<string, C> = { a: [at(2)] };
      const e1 = cold('    --a-', values);
      const unsub = '      ^---!';
      const expected = '   --a-';
      const caughtUp = () => (ticks.push(testScheduler.now()), true);

      expectObservable(
        e1.pipe(withWatermarks({ idleTimeout: 10 }, runtime({ partitions: [0, 1], caughtUp }))),
        unsub,
      ).toBe(expected, values);
    });
    // Partition 1 would turn idle at 10 ms: no timer may fire after unsubscription at 4 ms.
    expect(ticks).toEqual([]);
  });

  it('rejects bad watermark options when the pipeline is built, naming the field', () => {
    expect(() => new Subject<C>().pipe(withWatermarks({ idleClose: true }, runtime()))).toThrow(
      /watermark\.idleClose/,
    );
  });
});
