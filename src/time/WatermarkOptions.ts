import { configError, raise } from '../core/errors.js';
import { unsafeToMillis, type Duration } from './Duration.js';
import type { WatermarkSettings } from './WatermarkTracker.js';

/**
 * How a source derives its watermark.
 *
 * @example
 * ```ts
 * import type { WatermarkOptions } from 'tributary';
 * const options: WatermarkOptions = { maxOutOfOrderness: '1m', idleTimeout: '30s', idleClose: true };
 * ```
 */
export interface WatermarkOptions {
  /** How far behind the largest event time seen the watermark trails. Default `0`. */
  readonly maxOutOfOrderness?: Duration;
  /** A partition with no record for this long (wall clock) stops holding the watermark back. Default: never. */
  readonly idleTimeout?: Duration;
  /**
   * When every partition is caught up and no record arrived for `idleTimeout`, advance the watermark with
   * the wall clock so the last windows of a quiet stream close. Needs `idleTimeout`. Default `false`.
   */
  readonly idleClose?: boolean;
  /** Records more than this far ahead of the wall clock are diverted and do not move the watermark. */
  readonly maxFutureSkew?: Duration;
}

/** Validates watermark options; throws a `TributaryException` naming the bad field. */
export const resolveWatermarkOptions = (
  options: WatermarkOptions = {},
  field = 'watermark',
): WatermarkSettings => {
  const idleTimeoutMs =
    options.idleTimeout === undefined
      ? undefined
      : unsafeToMillis(options.idleTimeout, `${field}.idleTimeout`);
  const idleClose = options.idleClose ?? false;
  if (idleClose && idleTimeoutMs === undefined) {
    raise(configError(`${field}.idleClose`, 'needs watermark.idleTimeout to be set'));
  }
  if (idleTimeoutMs === 0) raise(configError(`${field}.idleTimeout`, 'must be positive'));
  return {
    maxOutOfOrdernessMs: unsafeToMillis(options.maxOutOfOrderness ?? 0, `${field}.maxOutOfOrderness`),
    idleTimeoutMs,
    idleClose,
    maxFutureSkewMs:
      options.maxFutureSkew === undefined
        ? undefined
        : unsafeToMillis(options.maxFutureSkew, `${field}.maxFutureSkew`),
  };
};
