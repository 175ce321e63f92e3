/** How long to wait between attempts: doubling from `initialMs` up to `maxMs`. */
export interface BackoffSettings {
  readonly initialMs: number;
  readonly maxMs: number;
}

/**
 * The wait before retry number `attempt` (0 for the first retry): exponential backoff with "equal jitter",
 * a random point in the upper half of `min(maxMs, initialMs · 2^attempt)`, so that many clients cut off
 * together do not come back together, and no wait is shorter than half its step.
 *
 * @example
 * ```ts
 * const settings = { initialMs: 1_000, maxMs: 30_000 };
 * backoffDelay(0, settings, () => 0.5); // 750
 * backoffDelay(3, settings, () => 0.5); // 6000
 * backoffDelay(9, settings, () => 1); // 30000
 * ```
 */
export const backoffDelay = (
  attempt: number,
  { initialMs, maxMs }: BackoffSettings,
  random: () => number = Math.random,
): number => {
  const step = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 52));
  return Math.round(step / 2 + (random() * step) / 2);
};
