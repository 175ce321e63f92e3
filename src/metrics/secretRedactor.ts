/**
 * Replaces secrets in the objects a logger writes. Our own walk rather than pino's `redact` paths: those
 * match at fixed depths only, cost every line several microseconds, and with overlapping paths
 * (`*.sasl` and `*.*.password`) write the censor into the caller's object, which would break a live
 * Kafka configuration that was only logged. Internal: not exported from the package.
 */

/** What JSON serialization writes for a reference back to an enclosing object. */
const CIRCULAR = '[Circular]';

/**
 * Returns a function that copies a value with every secret replaced by `censor`, sharing every part
 * that holds no secret (a value without secrets is returned as it is); the value itself is never changed.
 *
 * A key matches at any depth; a dotted key (`ssl.key`) matches `key` directly under `ssl` (array items
 * in between are transparent). Plain objects, arrays, errors and class instances are searched: a copy
 * keeps the prototype and the other properties, so an error still serializes as an error. Objects with
 * `toJSON` (dates, buffers) and binary views are left as they are; getters are not called. A reference to
 * an enclosing object becomes `'[Circular]'`, as JSON serialization would write it, so that a cycle
 * cannot lead back to the unredacted original.
 */
export const secretRedactor = (keys: readonly string[], censor: string): (<T>(value: T) => T) => {
  /** Remaining segments of each dotted key, by its first segment. */
  const starts = new Map<string, string[][]>();
  const single = new Set<string>();
  for (const key of keys) {
    const [first, ...rest] = key.split('.');
    if (rest.length === 0) single.add(first!);
    else starts.set(first!, [...(starts.get(first!) ?? []), rest]);
  }

  /** The value under `key` redacted, given the dotted keys pending at this level. */
  const redactEntry = (
    key: string,
    item: unknown,
    pending: readonly string[][],
    ancestors: object[],
  ): unknown => {
    if (item === undefined) return item;
    if (single.has(key) || pending.some((rest) => rest.length === 1 && rest[0] === key)) return censor;
    const next = [...(starts.get(key) ?? [])];
    for (const rest of pending) if (rest.length > 1 && rest[0] === key) next.push(rest.slice(1));
    return walk(item, next, ancestors);
  };

  const walk = (value: unknown, pending: readonly string[][], ancestors: object[]): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    if (ancestors.includes(value)) return CIRCULAR;
    if (ArrayBuffer.isView(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function')
      return value;
    ancestors.push(value);
    try {
      if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          const redacted = walk(item, pending, ancestors);
          if (redacted !== item) (copy ??= [...value])[i] = redacted;
        }
        return copy ?? value;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      const plain = proto === Object.prototype || proto === null;
      let copy: object | undefined;
      // Errors keep `cause` and their own fields non-enumerable or not: search them all.
      for (const key of plain ? Object.keys(value) : Object.getOwnPropertyNames(value)) {
        const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
        if (!('value' in descriptor)) continue;
        const redacted = redactEntry(key, descriptor.value, pending, ancestors);
        if (redacted === descriptor.value) continue;
        copy ??= plain ? { ...value } : cloneWithPrototype(value, proto as object);
        // defineProperty, not assignment: a `__proto__` key parsed from JSON is data, not the prototype.
        Object.defineProperty(copy, key, {
          value: redacted,
          enumerable: descriptor.enumerable ?? true,
          writable: true,
          configurable: true,
        });
      }
      return copy ?? value;
    } finally {
      ancestors.pop();
    }
  };

  return <T>(value: T): T => walk(value, [], []) as T;
};

/** A shallow copy with the same prototype and properties, each configurable so that it can be replaced. */
const cloneWithPrototype = (value: object, proto: object): object => {
  const descriptors = Object.getOwnPropertyDescriptors(value);
  for (const descriptor of Object.values(descriptors)) descriptor.configurable = true;
  return Object.create(proto, descriptors) as object;
};
