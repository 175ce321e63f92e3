/**
 * A wall clock in nanoseconds since the epoch, as the captures write local receive times: read once from
 * `Date.now()`, then advanced by the monotonic high-resolution timer, so that times taken in a row never go
 * back and are finer than a millisecond.
 *
 * @example
 * ```ts
 * const now = preciseClock();
 * now(); // 1723161254087896568n
 * ```
 */
export const preciseClock = (): (() => bigint) => {
  const originNs = BigInt(Date.now()) * 1_000_000n;
  const originHr = process.hrtime.bigint();
  return () => originNs + (process.hrtime.bigint() - originHr);
};
