/**
 * Stable codes of the errors the metrics and logging layer throws. Never renamed; new codes are only added.
 *
 * - `CONFIG_INVALID`: an option is wrong (a log level, a port); `field` names it.
 * - `METRIC_CONFLICT`: a name is defined again with another type, other label names or other buckets, or
 *   read as the wrong type.
 * - `METRIC_INVALID`: a bad name or label name, a label the metric does not declare, a value that is not a
 *   finite number, or a counter increment below zero.
 */
export type MetricsErrorCode = 'CONFIG_INVALID' | 'METRIC_CONFLICT' | 'METRIC_INVALID';

/**
 * The error thrown by the metrics and logging layer for a programming or configuration mistake. Like every
 * Tributary error it carries a stable `code`, a `retriable` flag (always `false`: retrying the same call
 * fails the same way) and, for configuration, the bad `field`.
 *
 * @example
 * ```ts
 * import { MemoryMetrics, MetricsError } from 'tributary/metrics';
 *
 * const metrics = new MemoryMetrics();
 * metrics.counter('trades_total', 'Trades seen, by symbol', ['symbol']);
 * try {
 *   metrics.counter('trades_total', 'Trades seen, by symbol and side', ['symbol', 'side']);
 * } catch (error) {
 *   if (error instanceof MetricsError) console.log(error.code, error.retriable);
 *   // METRIC_CONFLICT false
 * }
 * ```
 */
export class MetricsError extends Error {
  readonly retriable = false;
  /** For configuration errors: the option at fault. */
  readonly field?: string;

  constructor(
    readonly code: MetricsErrorCode,
    message: string,
    options: { readonly field?: string; readonly cause?: unknown } = {},
  ) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'MetricsError';
    if (options.field !== undefined) this.field = options.field;
  }
}
