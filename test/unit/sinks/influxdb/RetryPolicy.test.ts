import { describe, expect, it } from 'vitest';
import { TributaryException } from '../../../../src/core/errors.js';
import { retryDelay, retryPolicy } from '../../../../src/sinks/influxdb/RetryPolicy.js';

describe('retryPolicy', () => {
  it('defaults to 0.5 s doubling up to 10 s, and Retry-After up to 5 min', () => {
    expect(retryPolicy()).toEqual({ initialMs: 500, maxMs: 10_000, maxRetryAfterMs: 300_000 });
    expect(retryPolicy({ initialDelay: '1s', maxDelay: '1m', maxRetryAfter: 0 })).toEqual({
      initialMs: 1_000,
      maxMs: 60_000,
      maxRetryAfterMs: 0,
    });
  });

  it('names the bad field', () => {
    const fieldOf = (run: () => unknown): string | undefined => {
      try {
        run();
      } catch (error) {
        if (error instanceof TributaryException) return error.error.field;
      }
      return undefined;
    };
    expect(fieldOf(() => retryPolicy({ initialDelay: 0 }))).toBe('retry.initialDelay');
    expect(fieldOf(() => retryPolicy({ initialDelay: '2s', maxDelay: '1s' }))).toBe('retry.maxDelay');
    expect(fieldOf(() => retryPolicy({ maxRetryAfter: 'later' }))).toBe('retry.maxRetryAfter');
  });
});

describe('retryDelay', () => {
  const policy = retryPolicy({ initialDelay: '500ms', maxDelay: '10s', maxRetryAfter: '1m' });

  it('doubles with each failure in a row, up to the maximum', () => {
    const highest = [1, 2, 3, 4, 5, 6, 7, 50, 5_000].map((failures) =>
      retryDelay(policy, failures, undefined, 1),
    );
    expect(highest).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000, 10_000]);
  });

  it('spreads each wait over the upper half of its ceiling', () => {
    expect(retryDelay(policy, 3, undefined, 0)).toBe(1_000);
    expect(retryDelay(policy, 3, undefined, 0.5)).toBe(1_500);
  });

  it("honours the server's Retry-After, up to its maximum", () => {
    expect(retryDelay(policy, 1, 30_000, 0.9)).toBe(30_000);
    expect(retryDelay(policy, 9, 0, 0.9)).toBe(0);
    expect(retryDelay(policy, 1, 3_600_000, 0)).toBe(60_000);
  });
});
