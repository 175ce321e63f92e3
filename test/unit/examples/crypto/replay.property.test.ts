import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replay, type ReplaySettings } from '../../../../examples/crypto/replay.js';
import { bookTickerLine, captureOf, depthLine, snapshotLine, tradeJson } from './helpers.js';
import { sliceLines } from './lines.js';
import { referenceReplay } from './replayReference.js';

/**
 * The replay against the brute-force reference (replayReference.ts), window for window and late trade for
 * late trade. Windows are compared as their JSON text: two doubles print alike exactly when they are the
 * same double, so equal texts mean bit-for-bit equal averages and volumes.
 */

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];

/** A price or quantity as Binance writes it, with 8 decimals (so sums round), now and then in another decimal form. */
const decimal = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.nat(70_000), fc.nat(99_999_999))
      .map(([i, f]) => `${i}.${String(f).padStart(8, '0')}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('1e3', '.5', '5.', '+2.25', '0.1', '0.2', '0.3') },
);

/** What is wrong with a trade the codec rejects, mostly. */
const damage = fc.constantFrom<Record<string, unknown>>(
  { p: 'abc' },
  { p: '' },
  { p: '0' },
  { q: '-1.5' },
  { q: '0.00000000' },
  { p: 12.5 },
  { T: -5 },
  { T: '1000' },
  { T: 1.5 },
  { s: '' },
  { e: 'trade', s: undefined },
  // Not damage: a trade stream's message without an event type is a trade; with another type, not one.
  { e: undefined },
  { e: 'aggTrade' },
);

type Message =
  | {
      readonly kind: 'trade';
      readonly s: string;
      readonly p: string;
      readonly q: string;
      readonly dt: number;
    }
  | {
      readonly kind: 'bad';
      readonly s: string;
      readonly p: string;
      readonly q: string;
      readonly dt: number;
      readonly damage: Record<string, unknown>;
    }
  | { readonly kind: 'repeat' }
  | { readonly kind: 'bookTicker' | 'depth' | 'snapshot' | 'aggTrade' | 'blank' | 'garbage' | 'cut' };

const message: fc.Arbitrary<Message> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('trade' as const),
      s: fc.constantFrom(...SYMBOLS),
      p: decimal,
      q: decimal,
      dt: fc.nat(400),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('bad' as const),
      s: fc.constantFrom(...SYMBOLS),
      p: decimal,
      q: decimal,
      dt: fc.nat(400),
      damage,
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'repeat' as const }) },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('bookTicker', 'depth', 'snapshot', 'aggTrade', 'blank', 'garbage', 'cut')
      .map((kind) => ({ kind }) as Message),
  },
);

interface Case {
  readonly settings: ReplaySettings;
  /** Event times are `base + dt`: near the epoch, or in August 2024. */
  readonly base: number;
  /** Per file: each line's message and the step of its local time from the line before (−1 goes back). */
  readonly files: readonly (readonly { readonly message: Message; readonly step: number }[])[];
  readonly batchSize: number;
}

const settings: fc.Arbitrary<ReplaySettings> = fc.integer({ min: 1, max: 40 }).chain((slideMs) =>
  fc.record({
    slideMs: fc.constant(slideMs),
    windowMs: fc.integer({ min: slideMs, max: 5 * slideMs }),
    watermarkMs: fc.nat(120),
  }),
);

const testCase: fc.Arbitrary<Case> = fc.record({
  settings,
  base: fc.constantFrom(0, 1_723_161_255_000),
  files: fc.array(
    fc.array(
      fc.record({
        message,
        step: fc.oneof({ weight: 10, arbitrary: fc.nat(3) }, { weight: 1, arbitrary: fc.constant(-1) }),
      }),
      { maxLength: 120 },
    ),
    { minLength: 1, maxLength: 3 },
  ),
  batchSize: fc.constantFrom(1, 7, 1_000),
});

/** The capture lines of a case's files. */
const render = ({ base, files }: Case): string[][] =>
  files.map((file) => {
    let localTime = 1_723_161_254_000_000_000n;
    let previousTrade: string | undefined;
    return file.map(({ message: m, step }) => {
      localTime += BigInt(step);
      const envelope = (data: string) => `${localTime} {"stream":"x@trade","data":${data}}`;
      switch (m.kind) {
        case 'trade':
          previousTrade = tradeJson({ s: m.s, p: m.p, q: m.q, T: base + m.dt });
          return envelope(previousTrade);
        case 'bad':
          return envelope(
            JSON.stringify({
              ...JSON.parse(tradeJson({ s: m.s, p: m.p, q: m.q, T: base + m.dt })),
              ...m.damage,
            }),
          );
        case 'repeat':
          return previousTrade === undefined ? bookTickerLine(localTime) : envelope(previousTrade);
        case 'bookTicker':
          return bookTickerLine(localTime);
        case 'depth':
          return depthLine(localTime);
        case 'snapshot':
          return snapshotLine(localTime);
        case 'aggTrade':
          return `${localTime} {"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","s":"BTCUSDT","p":"1","q":"1","T":${base}}}`;
        case 'blank':
          return '';
        case 'garbage':
          return 'garbage';
        case 'cut':
          return `${localTime} {"stream":"btcusdt@trade","data":{"e":"tra`;
      }
    });
  });

const compare = (files: readonly (readonly string[])[], settings: ReplaySettings, batchSize?: number) => {
  const result = replay(
    files.map((lines, i) => captureOf(`capture-${i}`, lines)),
    settings,
    batchSize === undefined ? {} : { batchSize },
  );
  const expected = referenceReplay(files, settings);
  expect(result.windows.map((w) => JSON.stringify(w))).toEqual(expected.windows);
  expect(result.late).toEqual(expected.late);
  expect(result.counts.decodeFailures).toBe(expected.rejected);
  expect(result.counts.unreadableLines).toBe(expected.unreadable);
  expect(Object.values(result.counts.skipped).reduce((a, b) => a + b, 0)).toBe(expected.skipped);
  return result;
};

describe('replay against the brute-force reference', () => {
  it('agrees on random disordered streams of several captures, bit for bit', () => {
    fc.assert(
      fc.property(testCase, (c) => {
        compare(render(c), c.settings, c.batchSize);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    { windowMs: 30_000, slideMs: 5_000, watermarkMs: 60_000 },
    { windowMs: 30_000, slideMs: 5_000, watermarkMs: 0 },
    { windowMs: 10_000, slideMs: 3_000, watermarkMs: 500 },
    { windowMs: 1_000, slideMs: 1_000, watermarkMs: 0 },
  ])('agrees on the first minute of the BTCUSDT and ETHUSDT recordings (%o)', (s) => {
    const result = compare([sliceLines('BTCUSDT'), sliceLines('ETHUSDT')], s);
    expect(result.counts.decoded).toBe(1_382 + 1_119);
    expect(result.windows.length).toBeGreaterThan(0);
  });

  it('agrees when the trades of the recordings arrive shuffled', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(5_000), (seed, watermarkMs) => {
        const trades = sliceLines('BTCUSDT').filter((l) => l.includes('@trade'));
        // Shuffle the messages, keeping the local-time column in order, so arrival order is the shuffle.
        const random = fc.sample(fc.shuffledSubarray(trades, { minLength: trades.length }), {
          seed,
          numRuns: 1,
        })[0]!;
        const times = trades.map((l) => l.slice(0, l.indexOf(' ')));
        const shuffled = random.map((l, i) => `${times[i]}${l.slice(l.indexOf(' '))}`);
        compare([shuffled], { windowMs: 30_000, slideMs: 5_000, watermarkMs });
      }),
      { numRuns: 10 },
    );
  });
});
