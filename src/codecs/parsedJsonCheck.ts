import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { finiteNumber } from './finiteNumber.js';
import { NumberFromString, parseDecimal } from './NumberFromString.js';
import { timestampMs } from './timestampMs.js';

/** What a check returns for a value it cannot accept; the codec's own `decode` then says why. */
export const REJECTED: unique symbol = Symbol('rejected');
/** The decoded value, or {@link REJECTED}. */
export type Check = (u: unknown) => unknown;

/** Failures need a context, successes never read it: one empty context serves every check. */
const NO_CONTEXT: t.Context = Object.freeze([]) as unknown as t.Context;

/** io-ts types whose `validate` is `is(u) ? success(u) : failure(u, c)` (a literal succeeds with itself). */
const PREDICATES = new Set([
  'StringType',
  'NumberType',
  'BooleanType',
  'NullType',
  'UndefinedType',
  'LiteralType',
  'KeyofType',
  'AnyDictionaryType',
  'UnknownType',
]);

/** This library's own codecs, checked without the `Either` their `validate` returns. */
const OWN: ReadonlyMap<unknown, Check> = new Map<unknown, Check>([
  [NumberFromString, (u) => parseDecimal(u) ?? REJECTED],
  [timestampMs, (u) => (timestampMs.is(u) ? u : REJECTED)],
  [finiteNumber, (u) => (finiteNumber.is(u) ? u : REJECTED)],
]);

const hasOwn = Object.prototype.hasOwnProperty;

/** `JSON.parse` output is an object exactly when it is neither null, nor an array, nor a primitive. */
const isParsedObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u);

const checkOf = (type: t.Decoder<unknown, unknown>): Check => {
  const own = OWN.get(type);
  if (own !== undefined) return own;
  const tag = (type as { readonly _tag?: unknown })._tag;
  if (typeof tag === 'string' && PREDICATES.has(tag)) {
    const is = (type as t.Type<unknown>).is;
    return (u) => (is(u) ? u : REJECTED);
  }
  if (tag === 'InterfaceType') return interfaceCheck((type as t.InterfaceType<t.Props>).props);
  // Any other codec validates as it always does; only the context of its failures is left out.
  return (u) => {
    const result = type.validate(u, NO_CONTEXT);
    return E.isRight(result) ? result.right : REJECTED;
  };
};

/** `t.type(props)`, in place: a property that decodes to another value is written back into the input. */
const interfaceCheck = (props: t.Props): Check => {
  const keys = Object.keys(props);
  const checks = keys.map((k) => checkOf(props[k]!));
  const count = keys.length;
  return (u) => {
    if (!isParsedObject(u)) return REJECTED;
    for (let i = 0; i < count; i++) {
      const k = keys[i]!;
      const uk = u[k];
      const vk = checks[i]!(uk);
      if (vk === REJECTED) return REJECTED;
      if (vk !== uk || (vk === undefined && !hasOwn.call(u, k))) u[k] = vk;
    }
    return u;
  };
};

/**
 * `codec.decode` of a value fresh from `JSON.parse`, which the caller owns, faster for values that decode:
 * the value is checked without building the io-ts context of every property (its only use is naming the
 * path of a failure), and properties that decode to another value (a `NumberFromString`) are written into
 * it, no copy made. Returns the decoded value, equal to `codec.decode`'s, or {@link REJECTED} where
 * `codec.decode` fails; the input may then be left half converted, so decode a fresh parse of the text for
 * the failure's paths.
 */
export const parsedJsonCheck = <A>(codec: t.Decoder<unknown, A>): Check => checkOf(codec);
