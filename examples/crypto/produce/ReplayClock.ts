/**
 * When to send each message of a replay at its recorded pace: a message recorded `d` after the first one
 * is due `d / speed` after the replay started. The schedule is kept from the first message on, so waits that
 * the timer makes a little late do not add up; when the replay falls behind by more than `maxLagMs`
 * (paused by back-pressure, say), it does not rush to catch up: the schedule starts again from the message
 * at hand.
 *
 * @example
 * ```ts
 * const clock = new ReplayClock(2); // twice as fast as recorded
 * clock.delay(1_000_000_000n, 0); // 0: the first message goes at once
 * clock.delay(1_500_000_000n, 0); // 250: recorded 500 ms later
 * clock.delay(2_000_000_000n, 300); // 200
 * ```
 */
export class ReplayClock {
  private anchor: { readonly wallMs: number; readonly localNs: bigint } | undefined;

  /** `speed`: how many times faster than recorded; `Infinity` sends everything at once. */
  constructor(
    private readonly speed: number,
    private readonly maxLagMs = 1_000,
  ) {
    if (!(speed > 0)) throw new RangeError(`speed must be greater than 0, got ${speed}`);
  }

  /** Ms to wait, when the wall clock reads `nowMs`, before sending a message recorded at `localNs`. */
  delay(localNs: bigint, nowMs: number): number {
    if (this.speed === Infinity) return 0;
    const anchor = this.anchor;
    if (anchor === undefined) {
      this.anchor = { wallMs: nowMs, localNs };
      return 0;
    }
    const due = anchor.wallMs + Number(localNs - anchor.localNs) / 1e6 / this.speed;
    if (nowMs - due > this.maxLagMs) {
      this.anchor = { wallMs: nowMs, localNs };
      return 0;
    }
    return Math.max(0, due - nowMs);
  }
}
