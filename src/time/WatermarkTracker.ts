/**
 * Bounded-out-of-orderness watermarks, per input partition, as a pure state machine: it never reads a
 * clock, every method takes `now` (wall-clock ms), so virtual time drives it in tests.
 *
 * - per partition `W_p = max event time seen − maxOutOfOrdernessMs`;
 * - the watermark is the minimum over active partitions, and never goes backwards;
 * - a partition with no record for `idleTimeoutMs` (wall clock) is idle and stops holding the minimum back;
 * - with `idleClose`, once every partition is caught up and no record arrived for `idleTimeoutMs`, the
 *   watermark follows the wall clock (`now − maxOutOfOrdernessMs`), so the last windows of a quiet stream
 *   close; during a backlog (not caught up) it never moves by wall clock;
 * - a record more than `maxFutureSkewMs` ahead of `now` is rejected and moves nothing.
 */
export interface WatermarkSettings {
  readonly maxOutOfOrdernessMs: number;
  /** `undefined`: partitions never turn idle. */
  readonly idleTimeoutMs: number | undefined;
  readonly idleClose: boolean;
  /** `undefined`: no future guard. */
  readonly maxFutureSkewMs: number | undefined;
}

interface PartitionState {
  maxTimestamp: number;
  lastActivity: number;
  idle: boolean;
}

export class WatermarkTracker {
  private readonly partitions = new Map<number, PartitionState>();
  private watermark = -Infinity;
  private lastRecordAt: number;
  private dirty = false;
  private lastPartition = NaN;
  private lastState: PartitionState | undefined;
  /** The highest explicit watermark from upstream ({@link advanceTo}). */
  private floor = -Infinity;

  constructor(
    private readonly settings: WatermarkSettings,
    now: number,
    partitions: readonly number[] = [],
  ) {
    this.lastRecordAt = now;
    this.assign(partitions, now);
  }

  /** The current watermark. */
  current(): number {
    if (this.dirty) this.recompute();
    return this.watermark;
  }

  /** Adds partitions (e.g. on assignment); each holds the watermark back until it sees data or turns idle. */
  assign(partitions: readonly number[], now: number): void {
    for (const p of partitions) {
      if (!this.partitions.has(p))
        this.partitions.set(p, { maxTimestamp: -Infinity, lastActivity: now, idle: false });
    }
    this.dirty = true;
  }

  /** Each partition's largest event time so far (for checkpoints); partitions without data are left out. */
  maxima(): [partition: number, maxTimestamp: number][] {
    const out: [number, number][] = [];
    for (const [partition, state] of this.partitions) {
      if (state.maxTimestamp > -Infinity) out.push([partition, state.maxTimestamp]);
    }
    return out;
  }

  /** Restores a partition's largest event time from a checkpoint, before its records are read again. */
  restore(partition: number, maxTimestamp: number, now: number): void {
    let state = this.partitions.get(partition);
    if (state === undefined) {
      state = { maxTimestamp: -Infinity, lastActivity: now, idle: false };
      this.partitions.set(partition, state);
    }
    if (maxTimestamp > state.maxTimestamp) state.maxTimestamp = maxTimestamp;
    this.dirty = true;
  }

  /** Removes partitions (e.g. on revocation). */
  revoke(partitions: readonly number[]): void {
    for (const p of partitions) this.partitions.delete(p);
    this.lastPartition = NaN;
    this.lastState = undefined;
    this.dirty = true;
  }

  /** True when `timestamp` is too far ahead of `now` to be trusted. */
  isFromFuture(timestamp: number, now: number): boolean {
    return this.settings.maxFutureSkewMs !== undefined && timestamp > now + this.settings.maxFutureSkewMs;
  }

  /**
   * Records an event on `partition`. Returns the watermark afterwards. The caller checks
   * {@link isFromFuture} first: a rejected record must not be observed.
   */
  observe(partition: number, timestamp: number, now: number): number {
    // The common case, kept small so that it inlines: the same partition as the record before (batches
    // come from one partition at a time), active, and not raising its maximum.
    const state = this.lastState;
    if (
      partition === this.lastPartition &&
      state !== undefined &&
      !state.idle &&
      timestamp <= state.maxTimestamp
    ) {
      state.lastActivity = now;
      this.lastRecordAt = now;
      return this.dirty ? this.current() : this.watermark;
    }
    return this.observeSlow(partition, timestamp, now);
  }

  private observeSlow(partition: number, timestamp: number, now: number): number {
    let state = this.partitions.get(partition);
    if (state === undefined) {
      state = { maxTimestamp: -Infinity, lastActivity: now, idle: false };
      this.partitions.set(partition, state);
      this.dirty = true;
    }
    this.lastPartition = partition;
    this.lastState = state;
    state.lastActivity = now;
    this.lastRecordAt = now;
    if (state.idle) {
      state.idle = false;
      this.dirty = true;
    }
    if (timestamp > state.maxTimestamp) {
      const before = state.maxTimestamp - this.settings.maxOutOfOrdernessMs;
      state.maxTimestamp = timestamp;
      // Only the partition holding the minimum can raise it.
      if (before <= this.watermark || this.partitions.size === 1) this.dirty = true;
    }
    return this.current();
  }

  /** Raises the watermark to at least `time` (an explicit watermark from upstream). */
  advanceTo(time: number): number {
    if (time > this.floor) this.floor = time;
    if (time > this.watermark) this.watermark = time;
    return this.current();
  }

  /**
   * One partition's own watermark (`max event time − maxOutOfOrderness`, raised by explicit watermarks
   * from upstream), or `Infinity` for a partition that is idle or not tracked: one that does not hold
   * the minimum back. Never below {@link current} for a partition that has been active all along; below
   * it for a partition assigned when the others were already further on, until it catches up.
   */
  partitionWatermark(partition: number): number {
    const state = this.partitions.get(partition);
    if (state === undefined || state.idle) return Infinity;
    const own = state.maxTimestamp - this.settings.maxOutOfOrdernessMs;
    return own > this.floor ? own : this.floor;
  }

  /**
   * Re-evaluates idleness and idle close at wall-clock `now`; `caughtUp` says whether every partition has
   * been read to its end. Returns the watermark afterwards.
   */
  tick(now: number, caughtUp: boolean): number {
    const idleAfter = this.settings.idleTimeoutMs;
    if (idleAfter === undefined) return this.current();
    for (const state of this.partitions.values()) {
      if (!state.idle && now - state.lastActivity >= idleAfter) {
        state.idle = true;
        this.dirty = true;
      }
    }
    const w = this.current();
    if (this.settings.idleClose && caughtUp && now - this.lastRecordAt >= idleAfter) {
      const byClock = now - this.settings.maxOutOfOrdernessMs;
      if (byClock > w) this.watermark = byClock;
    }
    return this.watermark;
  }

  /** The next wall-clock time after `now` at which {@link tick} can change something, or `undefined`. */
  nextDeadline(now: number): number | undefined {
    const idleAfter = this.settings.idleTimeoutMs;
    if (idleAfter === undefined) return undefined;
    let next = Infinity;
    for (const state of this.partitions.values()) {
      if (!state.idle) next = Math.min(next, state.lastActivity + idleAfter);
    }
    if (this.settings.idleClose) {
      const quietAt = this.lastRecordAt + idleAfter;
      // Once quiet, follow the wall clock in steps no coarser than a second.
      next = Math.min(next, quietAt > now ? quietAt : now + Math.min(idleAfter, 1000));
    }
    return Number.isFinite(next) ? Math.max(next, now) : undefined;
  }

  private recompute(): void {
    this.dirty = false;
    let min = Infinity;
    let max = -Infinity;
    let active = 0;
    for (const state of this.partitions.values()) {
      if (state.maxTimestamp > max) max = state.maxTimestamp;
      if (state.idle) continue;
      active++;
      if (state.maxTimestamp < min) min = state.maxTimestamp;
    }
    // When every partition is idle, none holds the others back: progress as far as any has seen.
    const candidate =
      (active > 0 ? min : this.partitions.size > 0 ? max : -Infinity) - this.settings.maxOutOfOrdernessMs;
    if (candidate > this.watermark) this.watermark = candidate;
  }
}
