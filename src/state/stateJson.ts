/**
 * The changelog's encoding of keys and state: JSON, extended so that what window state holds survives a
 * round trip — `Infinity`, `-Infinity` and `NaN` (empty min/max accumulators), `undefined` (an empty
 * `first`/`last`), and byte arrays (record headers).
 *
 * @example
 * ```ts
 * import { decodeState, encodeState } from 'tributary';
 * decodeState(encodeState({ low: Infinity, note: undefined })); // { low: Infinity, note: undefined }
 * ```
 */
const TAG = '$tributary';

const replacer = function (this: unknown, key: string, value: unknown): unknown {
  // `this[key]` is the value before any toJSON, which is how a Uint8Array is still recognised here.
  const raw = (this as Record<string, unknown>)[key];
  if (typeof raw === 'number' && !Number.isFinite(raw)) return { [TAG]: 'number', value: String(raw) };
  if (raw === undefined && key !== '') return { [TAG]: 'undefined' };
  if (raw instanceof Uint8Array) return { [TAG]: 'bytes', value: Buffer.from(raw).toString('base64') };
  return value;
};

const reviver = (_key: string, value: unknown): unknown => {
  if (typeof value !== 'object' || value === null || !(TAG in value)) return value;
  const tagged = value as { [TAG]: string; value?: string };
  switch (tagged[TAG]) {
    case 'number':
      return Number(tagged.value);
    case 'undefined':
      return undefined;
    case 'bytes':
      return new Uint8Array(Buffer.from(tagged.value ?? '', 'base64'));
    default:
      return value;
  }
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a key or a state snapshot for the changelog. */
export const encodeState = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value, replacer));

/** Decodes what {@link encodeState} wrote. */
export const decodeState = (bytes: Uint8Array): unknown => JSON.parse(decoder.decode(bytes), reviver);
