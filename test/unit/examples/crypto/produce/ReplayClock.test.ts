import { describe, expect, it } from 'vitest';
import { ReplayClock } from '../../../../../examples/crypto/produce/ReplayClock.js';

const ms = (n: number) => BigInt(n) * 1_000_000n;
const T0 = 1_723_161_254_087_896_568n;

describe('ReplayClock', () => {
  it('spaces messages by their recorded local times, divided by the speed', () => {
    const once = new ReplayClock(1);
    expect([once.delay(T0, 500), once.delay(T0 + ms(250), 500), once.delay(T0 + ms(1_000), 500)]).toEqual([
      0, 250, 1_000,
    ]);
    const tenfold = new ReplayClock(10);
    expect([tenfold.delay(T0, 0), tenfold.delay(T0 + ms(250), 0), tenfold.delay(T0 + ms(1_000), 0)]).toEqual([
      0, 25, 100,
    ]);
  });

  it('keeps the schedule from the first message: a wait that ended late shortens the next one', () => {
    const clock = new ReplayClock(1);
    clock.delay(T0, 0);
    expect(clock.delay(T0 + ms(100), 0)).toBe(100);
    expect(clock.delay(T0 + ms(200), 104)).toBe(96); // woke 4 ms late
    expect(clock.delay(T0 + ms(200), 210)).toBe(0); // due already
  });

  it('starts the schedule again, without a burst, after falling behind by more than the allowed lag', () => {
    const clock = new ReplayClock(1, 1_000);
    clock.delay(T0, 0);
    expect(clock.delay(T0 + ms(100), 5_000)).toBe(0); // paused for 5 s: sent at once, and the pace restarts here
    expect(clock.delay(T0 + ms(300), 5_000)).toBe(200);
  });

  it('sends everything at once at speed max', () => {
    const clock = new ReplayClock(Infinity);
    expect([clock.delay(T0, 0), clock.delay(T0 + ms(60_000), 0)]).toEqual([0, 0]);
  });

  it('refuses a speed that is not above zero', () => {
    expect(() => new ReplayClock(0)).toThrow('speed must be greater than 0, got 0');
  });
});
