import * as E from 'fp-ts/lib/Either.js';
import { configError, raise, type TributaryError } from '../core/errors.js';

/**
 * A span of time: milliseconds as a number, or a string such as `'500ms'`, `'30s'`, `'1m'`, `'1h'`, `'1d'`
 * (also `'1.5s'` and compound forms like `'1m30s'`).
 *
 * @example
 * ```ts
 * import { Duration } from 'tributary';
 * Duration.unsafeToMillis('1m30s'); // 90000
 * Duration.toMillis('soon'); // Left(TributaryError CONFIG_INVALID)
 * ```
 */
export type Duration = number | `${number}${DurationUnit}` | (string & {});

export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

const UNIT_MS: Readonly<Record<DurationUnit, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** Parses a duration into milliseconds; `field` names the configuration field in the error. */
export const toMillis = (input: Duration, field = 'duration'): E.Either<TributaryError, number> => {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0
      ? E.right(input)
      : E.left(configError(field, `must be a non-negative number of milliseconds, got ${String(input)}`));
  }
  // Configuration read from JSON, YAML or the environment is not type-checked: reject, never crash.
  if (typeof input !== 'string') {
    return E.left(
      configError(
        field,
        `must be a duration like '30s' or milliseconds, got ${JSON.stringify(input) ?? String(input)}`,
      ),
    );
  }
  const text = input.trim();
  let total = 0;
  PART.lastIndex = 0;
  let matched = 0;
  while (PART.lastIndex < text.length) {
    const m = PART.exec(text);
    if (m === null) break;
    total += Number(m[1]) * UNIT_MS[m[2] as DurationUnit];
    matched = PART.lastIndex;
  }
  if (text.length === 0 || matched !== text.length) {
    return E.left(
      configError(
        field,
        `must be a duration like '500ms', '30s', '1m', '1h', '1d' or milliseconds, got '${input}'`,
      ),
    );
  }
  return E.right(Math.round(total));
};

/** Like {@link toMillis} but throws a `TributaryException` on bad input. */
export const unsafeToMillis = (input: Duration, field = 'duration'): number =>
  E.getOrElse<TributaryError, number>(raise)(toMillis(input, field));

/** Like {@link unsafeToMillis}, and also rejects zero. */
export const unsafePositiveMillis = (input: Duration, field: string): number => {
  const ms = unsafeToMillis(input, field);
  if (ms <= 0) raise(configError(field, `must be a positive duration, got ${JSON.stringify(input)}`));
  return ms;
};

/** Formats milliseconds compactly (`90000` → `'1m30s'`), for logs and topology descriptions. */
export const format = (ms: number): string => {
  if (ms === 0) return '0ms';
  if (!Number.isFinite(ms)) return String(ms);
  let rest = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
};
