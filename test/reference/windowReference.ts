/**
 * Brute-force reference model of event-time windowing.
 *
 * This module is intentionally slow and literal: it keeps every record it has seen, recomputes
 * whatever it needs from scratch, and checks its own invariants. It exists so that the real
 * operators can be compared against something whose correctness can be checked by reading it.
 *
 * Rules implemented (all times are integer milliseconds):
 *
 * Watermark. For each partition p, W_p = (max timestamp seen on p) - maxOutOfOrdernessMs, or -Infinity
 * before p has any record. The operator watermark is W = min over `options.partitions` of W_p. For each
 * record, in arrival order:
 *   1. decide lateness / contribution against W as it was BEFORE the record,
 *   2. add the record,
 *   3. update W with the record's timestamp (late records update it too),
 *   4. close every window whose close time is <= W.
 * At the end of input W = +Infinity and every remaining window closes.
 *
 * Closing. A window with exclusive end E closes when W >= E + graceMs. Closed windows are emitted
 * once (only if they hold at least one counted record) and never change again.
 *
 * Contribution. A record counts in every window it belongs to that is still open when it arrives. It
 * is late iff every window it belongs to is already closed; a late record counts nowhere, creates
 * nothing and is reported in `late`.
 *
 * Kinds:
 *  - tumbling(size): windows [k*size, k*size + size).
 *  - hopping(size, advance): windows [k*advance, k*advance + size) for integers k >= 0.
 *  - sliding(D): Kafka Streams SlidingWindows. Inclusive windows [s, s+D], reported with end = s+D+1.
 *    Left window of a record at t: [t-D, t] (or [0, D] when t < D). Right window of a record at t:
 *    [t+1, t+1+D], defined once some counted record r' of the same key with t < r'.t <= t+1+D exists.
 *    A window is created the first time it is defined, and only if it is open at that moment; its
 *    content is every counted record of its key inside [s, s+D] that arrived before it closed.
 *    A record at t is late iff W >= t + D + 1 + graceMs.
 *  - session(gap): open sessions [first, last] per key. A counted record at t merges itself with every
 *    OPEN session satisfying first - gap <= t <= last + gap (none: new session [t, t]). A session closes
 *    when W >= last + gap + 1 + graceMs and is reported as [first, last + 1). A record at t is late iff
 *    W >= t + gap + 1 + graceMs.
 *
 * Sliding windows can accept a record (some window able to hold it is still open) that no window ever
 * counts, because no later record creates a window around it in time: such a record is late too.
 *
 * Output order. `finals` is in closing order. Windows that close at the same step are ordered by
 * end, then start, then key (plain string comparison). `late` is in arrival order.
 */

export interface RefRecord {
  readonly key: string;
  readonly value: number;
  readonly timestamp: number;
  readonly partition: number;
}

export type RefWindowSpec =
  | { readonly kind: 'tumbling'; readonly sizeMs: number }
  | { readonly kind: 'hopping'; readonly sizeMs: number; readonly advanceMs: number }
  | { readonly kind: 'sliding'; readonly timeDifferenceMs: number }
  | { readonly kind: 'session'; readonly gapMs: number };

export interface RefOptions {
  readonly window: RefWindowSpec;
  /** >= 0 */
  readonly graceMs: number;
  /** >= 0, the watermark delay */
  readonly maxOutOfOrdernessMs: number;
  /** The input partitions, all active from the start. */
  readonly partitions: readonly number[];
}

/** One final window result. `end` is EXCLUSIVE for every kind. `values` are the values of the records counted in the window, in arrival order. */
export interface RefWindow {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly values: readonly number[];
}

/** `late` is in arrival order. */
export interface RefResult {
  readonly finals: readonly RefWindow[];
  readonly late: readonly RefRecord[];
}

/** A record together with its position in the input (its arrival index). */
interface Arrived {
  readonly record: RefRecord;
  readonly index: number;
}

/** The per-kind part of the model. */
interface KindModel {
  /**
   * Offer a record, given the watermark as it was before the record arrived.
   * Returns true if the record counted somewhere, false if it is late.
   */
  add(arrived: Arrived, watermarkBefore: number): boolean;
  /** Close (and return) every window whose close time is <= watermark. */
  closeUpTo(watermark: number): RefWindow[];
  /** At the end of input: the records that were not late but that no window ever counted. */
  unplaced?(): readonly Arrived[];
}

export function referenceWindows(records: readonly RefRecord[], options: RefOptions): RefResult {
  validate(records, options);

  const maxTimestampByPartition = new Map<number, number>();
  const currentWatermark = (): number => {
    let watermark = Infinity;
    for (const partition of options.partitions) {
      const max = maxTimestampByPartition.get(partition);
      const partitionWatermark = max === undefined ? -Infinity : max - options.maxOutOfOrdernessMs;
      watermark = Math.min(watermark, partitionWatermark);
    }
    return watermark;
  };

  const model = createModel(options);
  const finals: RefWindow[] = [];
  const lateIndices = new Set<number>();

  records.forEach((record, index) => {
    // 1 + 2: decide against the watermark before this record, then add it.
    const watermarkBefore = currentWatermark();
    const counted = model.add({ record, index }, watermarkBefore);
    if (!counted) lateIndices.add(index);

    // 3: update the watermark with this record.
    const previousMax = maxTimestampByPartition.get(record.partition);
    maxTimestampByPartition.set(
      record.partition,
      previousMax === undefined ? record.timestamp : Math.max(previousMax, record.timestamp),
    );

    // 4: close everything that is due.
    finals.push(...model.closeUpTo(currentWatermark()));
  });

  // End of input: the watermark becomes +Infinity.
  finals.push(...model.closeUpTo(Infinity));

  // Records accepted but counted nowhere are late too: nothing is dropped silently.
  for (const { index } of model.unplaced?.() ?? []) lateIndices.add(index);
  return { finals, late: records.filter((_, index) => lateIndices.has(index)) };
}

// ---------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  }
}

function validate(records: readonly RefRecord[], options: RefOptions): void {
  requireInteger('graceMs', options.graceMs, 0);
  requireInteger('maxOutOfOrdernessMs', options.maxOutOfOrdernessMs, 0);
  const spec = options.window;
  switch (spec.kind) {
    case 'tumbling':
      requireInteger('sizeMs', spec.sizeMs, 1);
      break;
    case 'hopping':
      requireInteger('sizeMs', spec.sizeMs, 1);
      requireInteger('advanceMs', spec.advanceMs, 1);
      break;
    case 'sliding':
      requireInteger('timeDifferenceMs', spec.timeDifferenceMs, 0);
      break;
    case 'session':
      requireInteger('gapMs', spec.gapMs, 0);
      break;
  }
  if (options.partitions.length === 0) {
    throw new RangeError('partitions must not be empty');
  }
  for (const record of records) {
    requireInteger('timestamp', record.timestamp, 0);
    if (!options.partitions.includes(record.partition)) {
      throw new RangeError(`record partition ${record.partition} is not one of the input partitions`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------------

/** Order for windows that close at the same step: end, then start, then key. */
function compareWindows(a: RefWindow, b: RefWindow): number {
  if (a.end !== b.end) return a.end - b.end;
  if (a.start !== b.start) return a.start - b.start;
  if (a.key < b.key) return -1;
  if (a.key > b.key) return 1;
  return 0;
}

function createModel(options: RefOptions): KindModel {
  const grace = options.graceMs;
  /** A window with exclusive end `end` is closed under watermark `watermark`. */
  const isClosed = (end: number, watermark: number): boolean => watermark >= end + grace;
  const spec = options.window;
  switch (spec.kind) {
    case 'tumbling':
      return alignedModel(isClosed, (t) => {
        const start = Math.floor(t / spec.sizeMs) * spec.sizeMs;
        return [{ start, end: start + spec.sizeMs }];
      });
    case 'hopping':
      return alignedModel(isClosed, (t) => {
        // Every k >= 0 with k*advance <= t < k*advance + size. Start at the largest k with
        // k*advance <= t and walk down while the window still reaches past t.
        const spans: Span[] = [];
        for (let k = Math.floor(t / spec.advanceMs); k >= 0; k--) {
          const start = k * spec.advanceMs;
          const end = start + spec.sizeMs;
          if (!(start <= t && t < end)) break;
          spans.push({ start, end });
        }
        return spans.reverse();
      });
    case 'sliding':
      return slidingModel(isClosed, spec.timeDifferenceMs, grace);
    case 'session':
      return sessionModel(isClosed, spec.gapMs, grace);
  }
}

interface Span {
  readonly start: number;
  /** exclusive */
  readonly end: number;
}

/** A window of the tumbling / hopping / sliding models, identified by (key, start). */
interface FixedWindow {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly values: number[];
  closed: boolean;
}

function findWindow(windows: readonly FixedWindow[], key: string, start: number): FixedWindow | undefined {
  return windows.find((w) => w.key === key && w.start === start);
}

function closeFixedWindows(
  windows: readonly FixedWindow[],
  watermark: number,
  isClosed: (end: number, watermark: number) => boolean,
): RefWindow[] {
  const closing = windows.filter((w) => !w.closed && isClosed(w.end, watermark));
  for (const w of closing) w.closed = true;
  return closing
    .filter((w) => w.values.length > 0)
    .map((w): RefWindow => ({ key: w.key, start: w.start, end: w.end, values: [...w.values] }))
    .sort(compareWindows);
}

// ---------------------------------------------------------------------------------------------------
// Tumbling and hopping: windows aligned to the epoch, existing once a record counts in them.
// ---------------------------------------------------------------------------------------------------

function alignedModel(
  isClosed: (end: number, watermark: number) => boolean,
  windowsContaining: (t: number) => Span[],
): KindModel {
  const windows: FixedWindow[] = [];
  return {
    add({ record }, watermarkBefore) {
      const open = windowsContaining(record.timestamp).filter((s) => !isClosed(s.end, watermarkBefore));
      if (open.length === 0) return false;
      for (const span of open) {
        let w = findWindow(windows, record.key, span.start);
        if (w === undefined) {
          w = { key: record.key, start: span.start, end: span.end, values: [], closed: false };
          windows.push(w);
        }
        if (w.closed) throw new Error('internal: an open span maps to a closed window');
        w.values.push(record.value);
      }
      return true;
    },
    closeUpTo(watermark) {
      return closeFixedWindows(windows, watermark, isClosed);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Sliding (Kafka Streams SlidingWindows): windows exist only where records define them.
// ---------------------------------------------------------------------------------------------------

function slidingModel(
  isClosed: (end: number, watermark: number) => boolean,
  timeDifference: number,
  grace: number,
): KindModel {
  const D = timeDifference;
  /** Every counted (non-late) record so far, in arrival order. */
  const counted: Arrived[] = [];
  /** Every window ever created (open or closed). */
  const windows: FixedWindow[] = [];
  /** Arrival indices of the counted records that some window counted. */
  const placed = new Set<number>();

  /** Starts of every window defined by the counted records of `key`, recomputed from scratch. */
  const definedStarts = (key: string): Set<number> => {
    const ofKey = counted.filter((a) => a.record.key === key).map((a) => a.record.timestamp);
    const starts = new Set<number>();
    for (const t of ofKey) {
      // Left window.
      starts.add(t < D ? 0 : t - D);
      // Right window, if some counted record falls in (t, t + 1 + D].
      if (ofKey.some((other) => t < other && other <= t + 1 + D)) starts.add(t + 1);
    }
    return starts;
  };

  return {
    add(arrived, watermarkBefore) {
      const { key, timestamp: t, value } = arrived.record;
      // The window that closes last among those able to hold t is [t, t + D].
      if (watermarkBefore >= t + D + 1 + grace) return false;

      // Count in every already-created window that is still open and contains t.
      for (const w of windows) {
        if (w.key === key && !w.closed && w.start <= t && t <= w.start + D) {
          if (isClosed(w.end, watermarkBefore)) throw new Error('internal: window should have closed');
          w.values.push(value);
          placed.add(arrived.index);
        }
      }

      counted.push(arrived);

      // Create every window that is now defined, not yet created, and still open. Its content is every
      // counted record of the key inside it (all of them arrived while it was open, as it is open now).
      for (const start of [...definedStarts(key)].sort((a, b) => a - b)) {
        if (findWindow(windows, key, start) !== undefined) continue;
        const end = start + D + 1;
        if (isClosed(end, watermarkBefore)) continue; // would be created closed: never created
        const members = counted.filter(
          (a) => a.record.key === key && start <= a.record.timestamp && a.record.timestamp <= start + D,
        );
        for (const a of members) placed.add(a.index);
        const values = members.map((a) => a.record.value);
        windows.push({ key, start, end, values, closed: false });
      }
      return true;
    },
    closeUpTo(watermark) {
      return closeFixedWindows(windows, watermark, isClosed);
    },
    unplaced() {
      return counted.filter((a) => !placed.has(a.index));
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Session windows.
// ---------------------------------------------------------------------------------------------------

interface Session {
  readonly key: string;
  readonly first: number;
  readonly last: number;
  /** The records counted in the session, in arrival order. */
  readonly members: readonly Arrived[];
}

function sessionModel(
  isClosed: (end: number, watermark: number) => boolean,
  gap: number,
  grace: number,
): KindModel {
  /** Only open sessions are kept; a session is dropped from here when it closes. */
  let open: Session[] = [];
  const closeTimeEnd = (s: Session): number => s.last + gap + 1; // close when W >= this + grace

  return {
    add(arrived, watermarkBefore) {
      const { key, timestamp: t } = arrived.record;
      if (watermarkBefore >= t + gap + 1 + grace) return false;

      const touching = open.filter((s) => s.key === key && s.first - gap <= t && t <= s.last + gap);
      const merged: Session = {
        key,
        first: Math.min(t, ...touching.map((s) => s.first)),
        last: Math.max(t, ...touching.map((s) => s.last)),
        members: [...touching.flatMap((s) => s.members), arrived].sort((a, b) => a.index - b.index),
      };
      if (isClosed(closeTimeEnd(merged), watermarkBefore)) {
        throw new Error('internal: a merged session cannot already be closed');
      }
      open = [...open.filter((s) => !touching.includes(s)), merged];
      return true;
    },
    closeUpTo(watermark) {
      const closing = open.filter((s) => isClosed(closeTimeEnd(s), watermark));
      open = open.filter((s) => !closing.includes(s));
      return closing
        .map((s): RefWindow => ({
          key: s.key,
          start: s.first,
          end: s.last + 1,
          values: s.members.map((a) => a.record.value),
        }))
        .sort(compareWindows);
    },
  };
}
