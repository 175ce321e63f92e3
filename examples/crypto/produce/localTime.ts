/**
 * The local receive times of captures are integers in different units: nanoseconds since the epoch in the
 * 2024 recordings, microseconds in the 2023 one. A time's unit is told by its size, which is unambiguous
 * for any date from 1973 to 2286.
 */

const NS_FROM = 100_000_000_000_000_000n; // 1e17 ns ≈ 1973; µs reach that only in the year 5138
const US_FROM = 100_000_000_000_000n; // 1e14 µs ≈ 1973
const MS_FROM = 100_000_000_000n; // 1e11 ms ≈ 1973

/**
 * A capture's local time in nanoseconds since the epoch, whether it was written in nanoseconds,
 * microseconds, milliseconds or seconds.
 *
 * @example
 * ```ts
 * toEpochNanos(1723161254087896568n); // 1723161254087896568n (nanoseconds already)
 * toEpochNanos(1680652800004107n); // 1680652800004107000n (microseconds)
 * ```
 */
export const toEpochNanos = (localTime: bigint): bigint =>
  localTime >= NS_FROM
    ? localTime
    : localTime >= US_FROM
      ? localTime * 1_000n
      : localTime >= MS_FROM
        ? localTime * 1_000_000n
        : localTime * 1_000_000_000n;
