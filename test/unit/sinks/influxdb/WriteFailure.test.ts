import { describe, expect, it } from 'vitest';
import { describeFailure, failureKind, retryAfterMs } from '../../../../src/sinks/influxdb/WriteFailure.js';

describe('failureKind', () => {
  it('waits out no answer, 408, 429 and 5xx', () => {
    for (const status of [undefined, 408, 429, 500, 502, 503, 504]) {
      expect(failureKind({ message: 'x', ...(status === undefined ? {} : { status }) })).toBe('unavailable');
    }
  });

  it('reads 400 and 422 as lines refused, 413 as too large', () => {
    expect(failureKind({ status: 400, message: "unable to parse 'x': invalid field format" })).toBe(
      'rejected',
    );
    expect(failureKind({ status: 422, message: 'partial write: …' })).toBe('rejected');
    expect(failureKind({ status: 413, message: 'request too large' })).toBe('too-large');
  });

  it('reads 401, 403, 404 as every write refused', () => {
    for (const status of [401, 403, 404, 405]) expect(failureKind({ status, message: 'x' })).toBe('refused');
  });
});

describe('retryAfterMs', () => {
  const now = Date.UTC(2024, 7, 9, 12, 0, 0);

  it('reads delay-seconds and HTTP dates', () => {
    expect(retryAfterMs('30', now)).toBe(30_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Fri, 09 Aug 2024 12:00:07 GMT', now)).toBe(7_000);
    expect(retryAfterMs('Fri, 09 Aug 2024 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores a missing or unreadable header', () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});

describe('describeFailure', () => {
  it('says what the server said, or that it did not answer', () => {
    expect(describeFailure({ status: 503, message: 'service unavailable' })).toBe(
      'HTTP 503: service unavailable',
    );
    expect(describeFailure({ message: 'connect ECONNREFUSED 127.0.0.1:8086' })).toBe(
      'no answer: connect ECONNREFUSED 127.0.0.1:8086',
    );
  });
});
