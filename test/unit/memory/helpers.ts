import { expect } from 'vitest';
import { TributaryException, type TributaryError } from '../../../src/core/errors.js';
import type { LogRecord } from '../../../src/checkpoint/LogTransport.js';

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

export const text = (b: Uint8Array | null): string | null =>
  b === null ? null : new TextDecoder().decode(b);

/** A message with a text value (and key), for brevity. */
export const msg = (value: string, key: string | null = null, partition?: number) =>
  partition === undefined
    ? { key: key === null ? null : bytes(key), value: bytes(value) }
    : { key: key === null ? null : bytes(key), value: bytes(value), partition };

/** The offsets and text values of records, as a user would check them. */
export const view = (records: readonly LogRecord[]) =>
  records.map((r) => ({ offset: r.offset, value: text(r.value) }));

/** The error a thrown `TributaryException` carries, or fails the test. */
export function thrownError(run: () => unknown): TributaryError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(TributaryException);
    return (e as TributaryException).error;
  }
  throw new Error('expected a TributaryException');
}
