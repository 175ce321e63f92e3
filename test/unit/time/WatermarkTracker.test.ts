import { describe, expect, it } from 'vitest';
import { WatermarkTracker, type WatermarkSettings } from '../../../src/index.js';

/** Settings with everything off; each test turns on what it needs. */
function settings(overrides: Partial<WatermarkSettings> = {}): WatermarkSettings {
  return {
    maxOutOfOrdernessMs: 0,
    idleTimeoutMs: undefined,
    idleClose: false,
    maxFutureSkewMs: undefined,
    ...overrides,
  };
}

describe('WatermarkTracker: bounded out-of-orderness', () => {
  it('trails the largest event time seen by maxOutOfOrderness', () => {
    const tracker = new WatermarkTracker(settings({ maxOutOfOrdernessMs: 100 }), 0, [0]);
    expect(tracker.current()).toBe(-Infinity);
    expect(tracker.observe(0, 1_000, 0)).toBe(900);
    // An out-of-order record does not pull it back, a newer one pushes it on.
    expect(tracker.observe(0, 950, 0)).toBe(900);
    expect(tracker.observe(0, 1_200, 0)).toBe(1_100);
    expect(tracker.current()).toBe(1_100);
  });

  it('equals the largest event time when maxOutOfOrderness is 0', () => {
    const tracker = new WatermarkTracker(settings(), 0, [0]);
    expect(tracker.observe(0, 42, 0)).toBe(42);
  });
});

describe('WatermarkTracker: minimum over partitions', () => {
  it('is held back by an assigned partition that has not seen data yet', () => {
    const tracker = new WatermarkTracker(settings(), 0, [0, 1]);
    expect(tracker.observe(0, 1_000, 0)).toBe(-Infinity);
    expect(tracker.observe(1, 500, 0)).toBe(500);
  });

  it('follows the slowest partition', () => {
    const tracker = new WatermarkTracker(settings({ maxOutOfOrdernessMs: 10 }), 0, [0, 1, 2]);
    tracker.observe(0, 1_000, 0);
    tracker.observe(1, 2_000, 0);
    expect(tracker.observe(2, 300, 0)).toBe(290);
    expect(tracker.observe(2, 5_000, 0)).toBe(990);
    expect(tracker.observe(0, 4_000, 0)).toBe(1_990);
    expect(tracker.observe(1, 6_000, 0)).toBe(3_990);
  });

  it('learns partitions it was not told about from their first record', () => {
    const tracker = new WatermarkTracker(settings(), 0);
    expect(tracker.observe(3, 700, 0)).toBe(700);
    expect(tracker.observe(5, 800, 0)).toBe(700);
    expect(tracker.observe(3, 900, 0)).toBe(800);
  });
});

describe('WatermarkTracker: never goes backwards', () => {
  it('keeps an explicit upstream watermark when later records are older', () => {
    const tracker = new WatermarkTracker(settings(), 0, [0]);
    tracker.observe(0, 100, 0);
    expect(tracker.advanceTo(5_000)).toBe(5_000);
    expect(tracker.observe(0, 200, 0)).toBe(5_000);
    expect(tracker.advanceTo(1_000)).toBe(5_000);
  });

  it('keeps its value when a fresh partition is assigned after progress', () => {
    const tracker = new WatermarkTracker(settings(), 0, [0, 1]);
    tracker.observe(0, 2_000, 0);
    expect(tracker.observe(1, 500, 0)).toBe(500);
    tracker.revoke([1]);
    expect(tracker.current()).toBe(2_000);
    tracker.assign([1], 0);
    expect(tracker.current()).toBe(2_000);
    expect(tracker.observe(1, 100, 0)).toBe(2_000);
  });

  it('is monotonic over any sequence of records, ticks and upstream watermarks', () => {
    const tracker = new WatermarkTracker(
      settings({ maxOutOfOrdernessMs: 50, idleTimeoutMs: 100, idleClose: true }),
      0,
      [0, 1, 2],
    );
    const steps: (() => number)[] = [];
    for (let i = 0; i < 200; i++) {
      const now = i * 37;
      const partition = (i * 7) % 3;
      const timestamp = (i * 7919) % 10_000;
      steps.push(() => tracker.observe(partition, timestamp, now));
      if (i % 5 === 0) steps.push(() => tracker.tick(now, i % 10 === 0));
      if (i % 11 === 0) steps.push(() => tracker.advanceTo(timestamp - 500));
      if (i === 100) steps.push(() => (tracker.revoke([2]), tracker.current()));
    }
    let previous = -Infinity;
    for (const step of steps) {
      const w = step();
      expect(w).toBeGreaterThanOrEqual(previous);
      previous = w;
    }
  });
});

describe('WatermarkTracker: idleness', () => {
  const idle = settings({ idleTimeoutMs: 1_000 });

  it('stops a silent partition from holding the minimum after idleTimeout of wall clock', () => {
    const tracker = new WatermarkTracker(idle, 0, [0, 1]);
    tracker.observe(0, 5_000, 100);
    expect(tracker.tick(999, true)).toBe(-Infinity);
    // Partition 1 has been silent since 0; partition 0 was active at 100 and still holds.
    expect(tracker.tick(1_000, true)).toBe(5_000);
  });

  it('lets an idle partition hold the minimum again once it gets data', () => {
    const tracker = new WatermarkTracker(idle, 0, [0, 1]);
    tracker.observe(0, 5_000, 100);
    tracker.tick(1_000, true);
    expect(tracker.observe(1, 6_000, 1_500)).toBe(5_000);
    expect(tracker.observe(0, 9_000, 1_600)).toBe(6_000);
  });

  it('does not let a partition that rejoins behind the watermark pull it back', () => {
    const tracker = new WatermarkTracker(idle, 0, [0, 1]);
    tracker.observe(0, 5_000, 100);
    tracker.tick(1_000, true);
    expect(tracker.observe(1, 2_000, 1_200)).toBe(5_000);
    // Partition 1 holds again: partition 0 moving on does not raise past it.
    expect(tracker.observe(0, 9_000, 1_300)).toBe(5_000);
    expect(tracker.observe(1, 7_000, 1_400)).toBe(7_000);
  });

  it('never turns partitions idle without an idleTimeout', () => {
    const tracker = new WatermarkTracker(settings(), 0, [0, 1]);
    tracker.observe(0, 5_000, 0);
    expect(tracker.tick(10_000_000, true)).toBe(-Infinity);
    expect(tracker.nextDeadline(10_000_000)).toBeUndefined();
  });

  it('progresses to the largest event time seen when every partition is idle', () => {
    const tracker = new WatermarkTracker({ ...idle, maxOutOfOrdernessMs: 100 }, 0, [0, 1, 2]);
    tracker.observe(0, 3_000, 0);
    tracker.observe(1, 8_000, 0);
    expect(tracker.current()).toBe(-Infinity);
    expect(tracker.tick(1_000, true)).toBe(7_900);
  });

  it('stays put when every partition is idle but none has seen data', () => {
    const tracker = new WatermarkTracker(idle, 0, [0, 1]);
    expect(tracker.tick(5_000, true)).toBe(-Infinity);
  });
});

describe('WatermarkTracker: idle close', () => {
  const closing = settings({ maxOutOfOrdernessMs: 100, idleTimeoutMs: 1_000, idleClose: true });
  const t0 = 10_000;

  it('follows the wall clock once caught up and quiet for idleTimeout', () => {
    const tracker = new WatermarkTracker(closing, t0, [0]);
    expect(tracker.observe(0, t0, t0)).toBe(t0 - 100);
    expect(tracker.tick(t0 + 999, true)).toBe(t0 - 100);
    expect(tracker.tick(t0 + 1_000, true)).toBe(t0 + 1_000 - 100);
    expect(tracker.tick(t0 + 5_000, true)).toBe(t0 + 5_000 - 100);
  });

  it('waits for idleTimeout of quiet after the last record', () => {
    const tracker = new WatermarkTracker(closing, t0, [0]);
    tracker.observe(0, t0, t0);
    tracker.observe(0, t0 + 10, t0 + 500);
    expect(tracker.tick(t0 + 1_000, true)).toBe(t0 + 10 - 100);
    expect(tracker.tick(t0 + 1_499, true)).toBe(t0 + 10 - 100);
    expect(tracker.tick(t0 + 1_500, true)).toBe(t0 + 1_500 - 100);
  });

  it('never moves by wall clock during a backlog', () => {
    const tracker = new WatermarkTracker(closing, t0, [0]);
    tracker.observe(0, t0, t0);
    for (let now = t0; now <= t0 + 600_000; now += 1_000) {
      expect(tracker.tick(now, false)).toBe(t0 - 100);
    }
    expect(tracker.tick(t0 + 601_000, true)).toBe(t0 + 601_000 - 100);
  });

  it('is off unless idleClose is set', () => {
    const tracker = new WatermarkTracker({ ...closing, idleClose: false }, t0, [0]);
    tracker.observe(0, t0, t0);
    expect(tracker.tick(t0 + 60_000, true)).toBe(t0 - 100);
  });

  it('does not pull an event-time watermark that is ahead of the clock back', () => {
    const tracker = new WatermarkTracker(closing, t0, [0]);
    tracker.observe(0, t0 + 50_000, t0);
    expect(tracker.tick(t0 + 2_000, true)).toBe(t0 + 50_000 - 100);
  });
});

describe('WatermarkTracker: future guard', () => {
  it('flags records more than maxFutureSkew ahead of the clock', () => {
    const tracker = new WatermarkTracker(settings({ maxFutureSkewMs: 1_000 }), 0, [0]);
    expect(tracker.isFromFuture(50_000 + 1_000, 50_000)).toBe(false);
    expect(tracker.isFromFuture(50_000 + 1_001, 50_000)).toBe(true);
    expect(tracker.isFromFuture(0, 50_000)).toBe(false);
  });

  it('flags nothing without maxFutureSkew', () => {
    const tracker = new WatermarkTracker(settings(), 0, [0]);
    expect(tracker.isFromFuture(Number.MAX_SAFE_INTEGER, 0)).toBe(false);
  });

  it('leaves the watermark alone when the caller drops a flagged record', () => {
    const tracker = new WatermarkTracker(settings({ maxFutureSkewMs: 1_000 }), 50_000, [0]);
    tracker.observe(0, 49_000, 50_000);
    const far = 9_999_999_999;
    expect(tracker.isFromFuture(far, 50_000)).toBe(true);
    expect(tracker.current()).toBe(49_000);
    expect(tracker.observe(0, 49_500, 50_100)).toBe(49_500);
  });
});

describe('WatermarkTracker: nextDeadline', () => {
  it('is undefined without an idleTimeout', () => {
    const tracker = new WatermarkTracker(settings(), 0, [0]);
    expect(tracker.nextDeadline(0)).toBeUndefined();
  });

  it('is the earliest time an active partition can turn idle', () => {
    const tracker = new WatermarkTracker(settings({ idleTimeoutMs: 1_000 }), 0, [0, 1]);
    expect(tracker.nextDeadline(0)).toBe(1_000);
    tracker.observe(0, 1, 400);
    expect(tracker.nextDeadline(500)).toBe(1_000);
    tracker.tick(1_000, true);
    expect(tracker.nextDeadline(1_000)).toBe(1_400);
    tracker.tick(1_400, true);
    expect(tracker.nextDeadline(1_400)).toBeUndefined();
  });

  it('with idle close, is the end of the quiet period, then steps of at most a second', () => {
    const tracker = new WatermarkTracker(settings({ idleTimeoutMs: 30_000, idleClose: true }), 0, [0]);
    tracker.observe(0, 1, 5_000);
    expect(tracker.nextDeadline(6_000)).toBe(35_000);
    tracker.tick(35_000, true);
    expect(tracker.nextDeadline(35_000)).toBe(36_000);
  });

  it('with idle close and a short idleTimeout, steps by the idleTimeout', () => {
    const tracker = new WatermarkTracker(settings({ idleTimeoutMs: 200, idleClose: true }), 0, [0]);
    tracker.tick(200, true);
    expect(tracker.nextDeadline(200)).toBe(400);
  });

  it('is never before now', () => {
    const tracker = new WatermarkTracker(settings({ idleTimeoutMs: 1_000 }), 0, [0]);
    expect(tracker.nextDeadline(5_000)).toBe(5_000);
  });

  it('is a time at which tick changes the watermark', () => {
    const tracker = new WatermarkTracker(settings({ idleTimeoutMs: 1_000 }), 0, [0, 1]);
    tracker.observe(0, 7_000, 300);
    const at = tracker.nextDeadline(300)!;
    expect(tracker.tick(at - 1, true)).toBe(-Infinity);
    expect(tracker.tick(at, true)).toBe(7_000);
  });
});

describe('WatermarkTracker: a partition’s own watermark', () => {
  it('is never below the operator watermark for partitions active all along', () => {
    const tracker = new WatermarkTracker(settings({ maxOutOfOrdernessMs: 10 }), 0, [0, 1]);
    tracker.observe(0, 1_000, 0);
    tracker.observe(1, 3_000, 0);
    expect(tracker.current()).toBe(990);
    expect([tracker.partitionWatermark(0), tracker.partitionWatermark(1)]).toEqual([990, 2_990]);
  });

  it('is behind the operator watermark for a partition restored after the others moved on', () => {
    const tracker = new WatermarkTracker(settings(), 0, [0]);
    tracker.observe(0, 9_000, 0);
    tracker.restore(1, 4_000, 0);
    expect(tracker.current()).toBe(9_000);
    expect(tracker.partitionWatermark(1)).toBe(4_000);
    tracker.observe(1, 5_000, 0);
    expect(tracker.partitionWatermark(1)).toBe(5_000);
  });

  it('is raised by explicit upstream watermarks, and Infinity for idle or unknown partitions', () => {
    const tracker = new WatermarkTracker(settings({ idleTimeoutMs: 1_000 }), 0, [0, 1]);
    tracker.observe(0, 100, 0);
    tracker.advanceTo(500);
    expect(tracker.partitionWatermark(0)).toBe(500);
    expect(tracker.partitionWatermark(7)).toBe(Infinity);
    tracker.tick(2_000, true);
    expect(tracker.partitionWatermark(1)).toBe(Infinity);
  });
});
