import type { TributaryError } from './errors.js';
import type { StreamRecord } from './StreamRecord.js';

/**
 * Streams move chunks: arrays of records interleaved with watermark markers. Batching amortises the cost
 * of RxJS per chunk instead of per record, while the watermark still advances record by record because
 * its markers sit between the records they follow.
 */
/** Event time has reached `time`: no record with a smaller timestamp is expected any more. */
export class Watermark {
  constructor(readonly time: number) {}
}

/** Why a record left the main stream. */
export type DivertReason = 'late' | 'future' | 'invalid';

/**
 * A record taken off the main stream (late, too far in the future, or invalid), with the reason. Operators
 * hand it to the run's side output at once ({@link RunContext.divert}); the runtime routes it (dead-letter
 * topic, log, counter) and the test driver collects it. Nothing leaves a stream without becoming one.
 */
export class Diverted {
  constructor(
    readonly record: StreamRecord<unknown, unknown>,
    readonly reason: DivertReason,
    readonly error: TributaryError,
    /** The operator that diverted it. */
    readonly operator: string,
  ) {}
}

export type Element<K, V> = StreamRecord<K, V> | Watermark;
export type Chunk<K, V> = readonly Element<K, V>[];

/**
 * Appends a watermark to a chunk being built. A watermark directly after another supersedes it (no record
 * lies between them to be judged by the earlier one), so it replaces it instead of adding a marker.
 */
export const pushWatermark = <K, V>(out: Element<K, V>[], watermark: Watermark): void => {
  const last = out.length - 1;
  if (last >= 0 && out[last] instanceof Watermark) out[last] = watermark;
  else out.push(watermark);
};
