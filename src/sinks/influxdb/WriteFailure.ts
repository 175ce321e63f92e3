/**
 * A write request that did not succeed, as a value: what the server said, or why there was no answer.
 * Pure functions decide what it means. Internal: not exported from the package.
 */
export interface WriteFailure {
  /** The HTTP status; absent when no answer came (connection refused or reset, timeout). */
  readonly status?: number;
  /** The server's message (its JSON `message`), or the network error's. */
  readonly message: string;
  /** The `Retry-After` header, when the server sent one. */
  readonly retryAfter?: string;
}

/**
 * - `unavailable`: try the same request again later (no answer, 429, 5xx);
 * - `rejected`: the server refused some lines for good (400 unparsable, 422 partial write);
 * - `too-large`: the request body was over the server's limit (413): send it in parts;
 * - `refused`: the server refuses every write of this client (401, 403, 404 bucket, other 4xx): a setup
 *   problem that no retry of the same points solves until someone fixes it.
 */
export type FailureKind = 'unavailable' | 'rejected' | 'too-large' | 'refused';

/** What a failure means for the lines that were sent. */
export const failureKind = ({ status }: WriteFailure): FailureKind => {
  if (status === undefined || status === 408 || status === 429 || status >= 500) return 'unavailable';
  if (status === 400 || status === 422) return 'rejected';
  if (status === 413) return 'too-large';
  return 'refused';
};

/**
 * The wait a `Retry-After` header asks for, in ms: delay-seconds (`"30"`) or an HTTP date; `undefined`
 * when there is no header or it cannot be read. A date in the past is no wait.
 */
export const retryAfterMs = (header: string | undefined, now: number): number | undefined => {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
};

/** The failure in words: `HTTP 503: service unavailable`, or `no answer: connect ECONNREFUSED …`. */
export const describeFailure = ({ status, message }: WriteFailure): string =>
  status === undefined ? `no answer: ${message}` : `HTTP ${status}: ${message}`;
