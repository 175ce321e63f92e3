import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../../../examples/crypto/produce/backoff.js';

const settings = { initialMs: 1_000, maxMs: 30_000 };

describe('backoffDelay', () => {
  it('doubles from the initial wait up to the longest, with jitter in the upper half of each step', () => {
    const steps = Array.from({ length: 8 }, (_, attempt) => attempt);
    expect(steps.map((a) => backoffDelay(a, settings, () => 1))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
    expect(steps.map((a) => backoffDelay(a, settings, () => 0))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000,
    ]);
    expect(backoffDelay(2, settings, () => 0.5)).toBe(3_000);
  });

  it('stays at the longest wait however many attempts failed', () => {
    expect(backoffDelay(10_000, settings, () => 1)).toBe(30_000);
  });
});
