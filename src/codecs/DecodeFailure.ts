import type * as t from 'io-ts';
import type { Origin, TributaryError } from '../core/errors.js';

/**
 * Why a serde could not decode a record value. Match on this (or on `code`), never on the message.
 *
 * - `'null'`: the value is `null` (a Kafka tombstone) and the serde does not accept one;
 * - `'invalid-utf8'`: the bytes are not valid UTF-8;
 * - `'invalid-json'`: the text is not JSON (`cause` holds the parser's `SyntaxError`);
 * - `'invalid-value'`: the value does not have the expected shape (`paths` says where and why).
 *
 * @example
 * ```ts
 * import type { DecodeFailureReason } from 'tributary';
 * // Failures counted by reason, e.g. for a metric label.
 * const failures: Record<DecodeFailureReason, number> = {
 *   null: 0,
 *   'invalid-utf8': 0,
 *   'invalid-json': 0,
 *   'invalid-value': 0,
 * };
 * ```
 */
export type DecodeFailureReason = 'null' | 'invalid-utf8' | 'invalid-json' | 'invalid-value';

/**
 * A record value a serde could not decode: a {@link TributaryError} with code `'DECODE_FAILED'`, returned
 * as the `Left` of `Serde.deserialize`, never thrown.
 *
 * `paths` has one line per problem, `<path>: expected <type>, got <value>` (see {@link reportPaths}); it
 * is empty unless `reason` is `'invalid-value'`. `origin` is the record's place in the log when the caller
 * gave it, and `message` is {@link formatDecodeFailure} of the rest.
 *
 * @example
 * ```ts
 * import * as E from 'fp-ts/lib/Either.js';
 * import * as t from 'io-ts';
 * import { json } from 'tributary';
 *
 * const result = json(t.type({ p: t.string })).deserialize(new TextEncoder().encode('{"p":42}'));
 * if (E.isLeft(result)) {
 *   result.left.paths; // ['p: expected string, got 42']
 * }
 * ```
 */
export interface DecodeFailure extends TributaryError {
  readonly code: 'DECODE_FAILED';
  readonly retriable: false;
  readonly reason: DecodeFailureReason;
  /** The name of the serde that failed, e.g. `'json(BinanceTrade)'`. */
  readonly serde: string;
  readonly paths: readonly string[];
}

const NO_PATHS: readonly string[] = Object.freeze([]);
/** How many paths a message names before it only counts the rest; `paths` always holds them all. */
const PATHS_IN_MESSAGE = 3;
/** Longest rendering of a bad value in a path line, so one huge value cannot bloat logs and headers. */
const MAX_VALUE_CHARS = 80;

/**
 * The default text of a decode failure, as its `message` carries it:
 * `<serde> cannot decode <topic>/<partition>@<offset>: <detail>` (`a value` when the origin is unknown),
 * naming the first three paths and counting the rest. It reads only the structured fields, so a
 * replacement is a function of the same argument.
 *
 * @example
 * ```ts
 * import { formatDecodeFailure } from 'tributary';
 * formatDecodeFailure({
 *   serde: 'json(Trade)',
 *   reason: 'invalid-value',
 *   paths: ['p: expected string, got 42'],
 *   origin: { topic: 'trades', partition: 0, offset: '42' },
 * }); // 'json(Trade) cannot decode trades/0@42: p: expected string, got 42'
 * ```
 */
export const formatDecodeFailure = (
  failure: Pick<DecodeFailure, 'serde' | 'reason' | 'paths' | 'origin' | 'cause'>,
): string => {
  const { origin } = failure;
  const where = origin ? `${origin.topic}/${origin.partition}@${origin.offset}` : 'a value';
  return `${failure.serde} cannot decode ${where}: ${detail(failure)}`;
};

const detail = ({ reason, paths, cause }: Pick<DecodeFailure, 'reason' | 'paths' | 'cause'>): string => {
  switch (reason) {
    case 'null':
      return 'the value is null';
    case 'invalid-utf8':
      return 'the bytes are not valid UTF-8';
    case 'invalid-json':
      return cause instanceof Error ? `not valid JSON (${cause.message})` : 'not valid JSON';
    case 'invalid-value': {
      if (paths.length === 0) return 'invalid value';
      const named = paths.slice(0, PATHS_IN_MESSAGE).join('; ');
      const more = paths.length - PATHS_IN_MESSAGE;
      return more > 0 ? `${named}; and ${more} more` : named;
    }
  }
};

/**
 * Builds a decode failure; for serdes of your own. The message is {@link formatDecodeFailure} of the
 * fields; `origin` and `cause` are present only when given.
 *
 * @example
 * ```ts
 * import { decodeFailure } from 'tributary';
 * const failure = decodeFailure('csv(Trade)', 'invalid-value', { paths: ['2: expected number, got "x"'] });
 * failure.message; // 'csv(Trade) cannot decode a value: 2: expected number, got "x"'
 * ```
 */
export const decodeFailure = (
  serde: string,
  reason: DecodeFailureReason,
  details: {
    readonly paths?: readonly string[] | undefined;
    readonly origin?: Origin | undefined;
    readonly cause?: unknown;
  } = {},
): DecodeFailure => {
  const { origin, cause } = details;
  const fields = {
    serde,
    reason,
    paths: details.paths ?? NO_PATHS,
    ...(origin === undefined ? {} : { origin }),
    ...(cause === undefined ? {} : { cause }),
  };
  return {
    _tag: 'TributaryError',
    code: 'DECODE_FAILED',
    message: formatDecodeFailure(fields),
    retriable: false,
    ...fields,
  };
};

/**
 * Turns io-ts validation errors into path lines, `<path>: expected <type>, got <value>` — the
 * counterpart of io-ts's `PathReporter`, shorter. A path is the dotted keys and indexes from the root
 * (`(root)` for the root itself); union and intersection members add no segment, and a value that fits
 * no member of a union is reported once, against the union. Values are shown as JSON (`undefined` for a
 * missing key), cut at 80 characters. A codec's own failure message replaces `expected … got …`.
 *
 * @example
 * ```ts
 * import * as E from 'fp-ts/lib/Either.js';
 * import * as t from 'io-ts';
 * import { reportPaths } from 'tributary';
 *
 * const result = t.type({ bids: t.array(t.tuple([t.string, t.string])) }).decode({ bids: [['1', 2]] });
 * const paths = E.isLeft(result) ? reportPaths(result.left) : []; // ['bids.0.1: expected string, got 2']
 * ```
 */
export const reportPaths = (errors: t.Errors): string[] => [...new Set(errors.map(pathLine))];

/** Union and intersection members are indexed in the context, but the index is not part of the data. */
const isCombinator = (type: t.Decoder<unknown, unknown>): boolean => {
  const tag = (type as { readonly _tag?: unknown })._tag;
  return tag === 'UnionType' || tag === 'IntersectionType';
};

const pathLine = ({ context, value, message }: t.ValidationError): string => {
  // context[0] is the root, whose key is ''.
  let path = '';
  for (let i = 1; i < context.length; i++) {
    if (isCombinator(context[i - 1]!.type)) continue;
    const key = context[i]!.key;
    path = path === '' ? key : `${path}.${key}`;
  }
  if (path === '') path = '(root)';
  if (message !== undefined) return `${path}: ${message}`;
  let leaf = context.length - 1;
  while (leaf > 0 && isCombinator(context[leaf - 1]!.type)) leaf--;
  const expected = context[leaf]?.type.name ?? 'unknown';
  return `${path}: expected ${expected}, got ${show(value)}`;
};

const show = (value: unknown): string => {
  let text: string;
  if (value === undefined || typeof value === 'number' || typeof value === 'bigint') text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
};
