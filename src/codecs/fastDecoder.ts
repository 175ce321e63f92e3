import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

/** What a fast check returns for a value it cannot accept; the codec's own `decode` then says why. */
const REJECTED: unique symbol = Symbol('rejected');
type Check = (u: unknown) => unknown;

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

const hasOwn = Object.prototype.hasOwnProperty;

const checkOf = (type: t.Decoder<unknown, unknown>): Check => {
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

/** `t.type(props)`, value for value: the input itself, or a shallow copy where a property decoded to another value. */
const interfaceCheck = (props: t.Props): Check => {
  const keys = Object.keys(props);
  const checks = keys.map((k) => checkOf(props[k]!));
  const count = keys.length;
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
  const check = checkOf(codec);
  return (u) => {
    const value = check(u);
    return value === REJECTED ? codec.decode(u) : E.right(value as A);
  };
};
