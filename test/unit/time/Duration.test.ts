import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  Duration,
  resolveWatermarkOptions,
  TributaryException,
  type DurationInput,
} from '../../../src/index.js';

/** The error a thrown `TributaryException` carries, or fails the test. */
function thrownError(run: () => unknown) {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(TributaryException);
    return (e as TributaryException).error;
  }
  throw new Error('expected a TributaryException');
}

describe('Duration.toMillis', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1m30s', 90_000],
    ['1h0m5s', 3_605_000],
    ['1.5s', 1_500],
    ['0s', 0],
    [' 30s ', 30_000],
  ] as const)('parses %j as %d ms', (input, ms) => {
    expect(Duration.toMillis(input)).toEqual(E.right(ms));
  });

  it.each([0, 1, 250, 60_000, 1.5])('takes the number %d as milliseconds', (ms) => {
    expect(Duration.toMillis(ms)).toEqual(E.right(ms));
  });

  it.each(['', 'soon', '30', 's', '-5s', '30 s', '1m 30s', '30S', '1w', '1e3ms', '1mm', '30s!'])(
    'rejects %j with CONFIG_INVALID naming the field',
    (input) => {
      const result = Duration.toMillis(input, 'window.size');
      expect(E.isLeft(result)).toBe(true);
      const error = (result as E.Left<{ code: string; field?: string; message: string }>).left;
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.field).toBe('window.size');
      expect(error.message).toContain('window.size');
      expect(error.message).toContain(input);
    },
  );

  it.each([-1, NaN, Infinity, -Infinity])('rejects the number %d with CONFIG_INVALID', (input) => {
    const result = Duration.toMillis(input, 'commitInterval');
    expect(result).toEqual(
      E.left(expect.objectContaining({ code: 'CONFIG_INVALID', field: 'commitInterval' })),
    );
  });

  // Configuration read from YAML, JSON or the environment is not type-checked.
  it.each([null, undefined, true, {}, ['30s']])(
    'rejects the non-duration %j as a value, not a crash',
    (input) => {
      const run = () => Duration.toMillis(input as unknown as DurationInput, 'watermark.idleTimeout');
      expect(run).not.toThrow();
      expect(run()).toEqual(
        E.left(expect.objectContaining({ code: 'CONFIG_INVALID', field: 'watermark.idleTimeout' })),
      );
    },
  );
});

describe('Duration.unsafeToMillis and unsafePositiveMillis', () => {
  it('return milliseconds for good input', () => {
    expect(Duration.unsafeToMillis('1m30s')).toBe(90_000);
    expect(Duration.unsafePositiveMillis('5s', 'hopping.advance')).toBe(5_000);
  });

  it('throw a TributaryException naming the field for bad input', () => {
    const error = thrownError(() => Duration.unsafeToMillis('soon', 'tumbling.size'));
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', field: 'tumbling.size', retriable: false });
  });

  it('unsafePositiveMillis rejects zero', () => {
    const error = thrownError(() => Duration.unsafePositiveMillis('0s', 'session.gap'));
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', field: 'session.gap' });
  });
});

describe('Duration.format', () => {
  it('writes milliseconds compactly', () => {
    expect(Duration.format(0)).toBe('0ms');
    expect(Duration.format(500)).toBe('500ms');
    expect(Duration.format(90_000)).toBe('1m30s');
    expect(Duration.format(86_400_000 + 1)).toBe('1d1ms');
  });

  it('round-trips through toMillis', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 * 86_400_000 }), (ms) => {
        expect(Duration.toMillis(Duration.format(ms))).toEqual(E.right(ms));
      }),
    );
  });
});

describe('resolveWatermarkOptions', () => {
  it('defaults to no out-of-orderness, no idleness, no idle close and no future guard', () => {
    expect(resolveWatermarkOptions()).toEqual({
      maxOutOfOrdernessMs: 0,
      idleTimeoutMs: undefined,
      idleClose: false,
      maxFutureSkewMs: undefined,
    });
  });

  it('parses every duration field', () => {
    expect(
      resolveWatermarkOptions({
        maxOutOfOrderness: '1m',
        idleTimeout: '30s',
        idleClose: true,
        maxFutureSkew: 3_600_000,
      }),
    ).toEqual({
      maxOutOfOrdernessMs: 60_000,
      idleTimeoutMs: 30_000,
      idleClose: true,
      maxFutureSkewMs: 3_600_000,
    });
  });

  it('rejects idleClose without idleTimeout, naming idleClose', () => {
    const error = thrownError(() => resolveWatermarkOptions({ idleClose: true }));
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', field: 'watermark.idleClose' });
    expect(error.message).toContain('idleTimeout');
  });

  it('rejects a zero idleTimeout', () => {
    const error = thrownError(() => resolveWatermarkOptions({ idleTimeout: 0 }));
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', field: 'watermark.idleTimeout' });
  });

  it.each([
    [{ maxOutOfOrderness: 'a minute' }, 'watermark.maxOutOfOrderness'],
    [{ idleTimeout: '-30s' }, 'watermark.idleTimeout'],
    [{ maxFutureSkew: -1 }, 'watermark.maxFutureSkew'],
  ] as const)('rejects %j naming %s', (options, field) => {
    const error = thrownError(() => resolveWatermarkOptions(options));
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', field });
    expect(error.message).toContain(field);
  });

  it('prefixes the field with where the options came from', () => {
    const error = thrownError(() =>
      resolveWatermarkOptions({ maxOutOfOrderness: 'soon' }, 'sources.trades.watermark'),
    );
    expect(error.field).toBe('sources.trades.watermark.maxOutOfOrderness');
  });
});
