import type { TributaryError } from '../core/errors.js';

/**
 * The headers a dead-letter record carries next to the original bytes, so that a reader of the
 * dead-letter topic can tell what failed and where without decoding anything. Names are stable; a header
 * is present only when its value is known:
 *
 * | header                       | value                                                    |
 * | ---------------------------- | -------------------------------------------------------- |
 * | `tributary.error.code`       | the error's `code`, e.g. `DECODE_FAILED`                 |
 * | `tributary.error.message`    | the error's `message`                                    |
 * | `tributary.error.paths`      | a decode failure's `paths`, one per line (when not empty) |
 * | `tributary.origin.topic`     | the topic the record was read from                       |
 * | `tributary.origin.partition` | its partition, in decimal                                |
 * | `tributary.origin.offset`    | its offset, in decimal                                   |
 *
 * Any `TributaryError` can be given (a late record sent to a dead-letter topic, say); only a
 * `DecodeFailure` has paths.
 *
 * @example
 * ```ts
 * import { decodeFailure, deadLetterHeaders } from 'tributary';
 * const failure = decodeFailure('json(Trade)', 'invalid-value', {
 *   paths: ['p: expected string, got 42', 'T: expected timestampMs, got undefined'],
 *   origin: { topic: 'trades', partition: 3, offset: '1042' },
 * });
 * deadLetterHeaders(failure)['tributary.error.paths'];
 * // 'p: expected string, got 42\nT: expected timestampMs, got undefined'
 * deadLetterHeaders(failure)['tributary.origin.partition']; // '3'
 * ```
 */
export const deadLetterHeaders = (
  error: TributaryError & { readonly paths?: readonly string[] },
): Record<string, string> => {
  const headers: Record<string, string> = {
    'tributary.error.code': error.code,
    'tributary.error.message': error.message,
  };
  if (error.paths !== undefined && error.paths.length > 0) {
    headers['tributary.error.paths'] = error.paths.join('\n');
  }
  const { origin } = error;
  if (origin !== undefined) {
    headers['tributary.origin.topic'] = origin.topic;
    headers['tributary.origin.partition'] = String(origin.partition);
    headers['tributary.origin.offset'] = origin.offset;
  }
  return headers;
};
