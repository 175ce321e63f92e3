/**
 * Every failure Tributary reports is a {@link TributaryError}: a tagged value with a stable `code`, a
 * `retriable` flag, the record origin when one is known, and the underlying `cause`.
 *
 * @example
 * ```ts
 * import { configError } from 'tributary';
 * const error = configError('window.size', 'must be a positive duration, got "0s"');
 * error.code; // 'CONFIG_INVALID'
 * ```
 */

/** Where a record came from in a log. */
export interface Origin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** Stable error codes. Never renamed; new codes are only added. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'DECODE_FAILED'
  | 'TIMESTAMP_INVALID'
  | 'RECORD_LATE'
  | 'RECORD_FROM_FUTURE'
  | 'OPERATOR_FAILED'
  | 'POINT_INVALID'
  | 'POINT_REJECTED'
  | 'SINK_UNAVAILABLE'
  | 'SINK_FAILED';

export interface TributaryError {
  readonly _tag: 'TributaryError';
  readonly code: ErrorCode;
  readonly message: string;
  readonly retriable: boolean;
  /** For configuration errors: the dotted path of the bad field. */
  readonly field?: string;
  readonly origin?: Origin;
  readonly cause?: unknown;
}

/** Builds a configuration error naming the bad field. */
export const configError = (field: string, problem: string): TributaryError => ({
  _tag: 'TributaryError',
  code: 'CONFIG_INVALID',
  message: `invalid configuration: ${field} ${problem}`,
  retriable: false,
  field,
});

/** The `Error` thrown by the `unsafe*` functions and at pipeline construction for bad configuration. */
export class TributaryException extends Error {
  readonly code: ErrorCode;
  constructor(readonly error: TributaryError) {
    super(error.message, error.cause === undefined ? undefined : { cause: error.cause });
    this.name = 'TributaryException';
    this.code = error.code;
  }
}

/** Throws the error as a {@link TributaryException}. */
export const raise = (error: TributaryError): never => {
  throw new TributaryException(error);
};

/**
 * A user function given to an operator (`map`, `filter`, an aggregator, …) threw. The stream fails with a
 * {@link TributaryException} carrying this error, so no record is lost without a trace.
 */
export const operatorFailed = (operator: string, cause: unknown, origin?: Origin): TributaryError => ({
  _tag: 'TributaryError',
  code: 'OPERATOR_FAILED',
  message: `operator ${operator} failed${origin ? ` on ${origin.topic}/${origin.partition}@${origin.offset}` : ''}: ${
    cause instanceof Error ? cause.message : String(cause)
  }`,
  retriable: false,
  ...(origin ? { origin } : {}),
  cause,
});
