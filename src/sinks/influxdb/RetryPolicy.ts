import { raise, configError } from '../../core/errors.js';
import { unsafeToMillis, type Duration } from '../../time/Duration.js';

/**
 * How long the InfluxDB sink waits before sending a request again that got no answer, a 429 or a 5xx.
 *
 * @example
 * ```ts
 * import type { RetryOptions } from 'tributary/influxdb';
 * const patient: RetryOptions = { initialDelay: '1s', maxDelay: '1m' };
 * ```
 */
export interface RetryOptions {
  /** The wait after the first failure; it doubles with every failure in a row. Default `'500ms'`. */
  readonly initialDelay?: Duration;
  /** The longest wait between attempts (and the wait while the server refuses the token). Default `'10s'`. */
  readonly maxDelay?: Duration;
  /** The longest `Retry-After` honoured; a server asking for more is asked again after this. Default `'5m'`. */
  readonly maxRetryAfter?: Duration;
}

/** Checked retry options, in ms. Internal. */
export interface RetryPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly maxRetryAfterMs: number;
}

/** Checks retry options; a bad one throws a `CONFIG_INVALID` exception naming `retry.<field>`. */
export const retryPolicy = (options: RetryOptions = {}): RetryPolicy => {
  const initialMs = unsafeToMillis(options.initialDelay ?? '500ms', 'retry.initialDelay');
  const maxMs = unsafeToMillis(options.maxDelay ?? '10s', 'retry.maxDelay');
  const maxRetryAfterMs = unsafeToMillis(options.maxRetryAfter ?? '5m', 'retry.maxRetryAfter');
  if (!(initialMs > 0)) raise(configError('retry.initialDelay', 'must be more than 0'));
  if (maxMs < initialMs)
    raise(configError('retry.maxDelay', `must be at least retry.initialDelay (${initialMs} ms)`));
  return { initialMs, maxMs, maxRetryAfterMs };
};

/**
 * The wait before attempt `failures + 1`, after `failures` failures in a row (1 or more). A server's
 * `Retry-After` is honoured as it is (up to `maxRetryAfterMs`); otherwise the wait doubles from
 * `initialMs` up to `maxMs`, and `random` (in [0, 1)) spreads it over its upper half, so that many clients
 * failing together do not come back together.
 */
export const retryDelay = (
  policy: RetryPolicy,
  failures: number,
  retryAfterMs: number | undefined,
  random: number,
): number => {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(failures - 1, 52));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
};
