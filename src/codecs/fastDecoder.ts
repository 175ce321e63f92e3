import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { finiteNumber } from './finiteNumber.js';
import { NumberFromString, parseDecimal } from './NumberFromString.js';
import { timestampMs } from './timestampMs.js';

/** What a fast check returns for a value it cannot accept; the codec's own `decode` then says why. */
export const REJECTED: unique symbol = Symbol('rejected');
/** The decoded value, or {@link REJECTED}. */
export type Check = (u: unknown) => unknown;

/** Failures need a context, successes never read it: one empty context serves every fast check. */
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

const checkOf = (type: t.Decoder<unknown, unknown>, inPlace: boolean): Check => {
  const own = OWN.get(type);
  if (own !== undefined) return own;
  const tag = (type as { readonly _tag?: unknown })._tag;
  if (typeof tag === 'string' && PREDICATES.has(tag)) {
    const is = (type as t.Type<unknown>).is;
    return (u) => (is(u) ? u : REJECTED);
  }
  if (tag === 'InterfaceType') return interfaceCheck((type as t.InterfaceType<t.Props>).props, inPlace);
  // Any other codec validates as it always does; only the context of its failures is left out.
  return (u) => {
    const result = type.validate(u, NO_CONTEXT);
    return E.isRight(result) ? result.right : REJECTED;
  };
};

/**
 * `t.type(props)`, value for value. In place, a property that decodes to another value is written back
 * into the input; otherwise the result is the input itself, or a shallow copy where a property changed.
 */
const interfaceCheck = (props: t.Props, inPlace: boolean): Check => {
  const keys = Object.keys(props);
  const checks = keys.map((k) => checkOf(props[k]!, inPlace));
  const count = keys.length;
  if (inPlace) {
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
  }
  return (u) => {
    if (!t.UnknownRecord.is(u)) return REJECTED;
    const o = u as Record<string, unknown>;
    let a = o;
    for (let i = 0; i < count; i++) {
      const k = keys[i]!;
      const ak = a[k];
      const vak = checks[i]!(ak);
      if (vak === REJECTED) return REJECTED;
      if (vak !== ak || (vak === undefined && !hasOwn.call(a, k))) {
        if (a === o) a = { ...o };
        a[k] = vak;
      }
    }
    return a;
  };
};

/**
 * `codec.decode`, faster for values that decode: a valid value is checked without building the io-ts
 * context of every property (its only use is naming the path of a failure), and one that fails is decoded
 * again by `codec.decode`, so failures keep their paths. Results are the same as `codec.decode`'s.
 */
export const fastDecoder = <A>(codec: t.Decoder<unknown, A>): ((u: unknown) => t.Validation<A>) => {
  const check = checkOf(codec, false);
  return (u) => {
    const value = check(u);
    return value === REJECTED ? codec.decode(u) : E.right(value as A);
  };
};

/**
 * The fast check of {@link fastDecoder} for a value the caller owns and fresh from `JSON.parse`:
 * properties that decode to another value are written into it, no copy is made. The input may be left
 * half converted when the check returns {@link REJECTED}: decode a fresh parse of the text for the paths.
 */
export const parsedJsonCheck = <A>(codec: t.Decoder<unknown, A>): Check => checkOf(codec, true);
