import { record, type StreamRecord } from '../src/index.js';

/** A trade as the benchmarks generate it: the fields the crypto example aggregates. */
export interface Trade {
  readonly symbol: string;
  readonly price: number;
  readonly qty: number;
}

/** A small, fast, seeded generator (mulberry32), so every run sees the same input. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * `count` trades over `symbols` symbols, one every `meanGapMs` on average, each shifted back by up to
 * `jitterMs` (so the stream is out of order by at most that much). Prices random-walk per symbol.
 */
export function randomTrades(
  count: number,
  symbols: number,
  { seed, meanGapMs, jitterMs }: { seed: number; meanGapMs: number; jitterMs: number },
): StreamRecord<null, Trade>[] {
  const random = seededRandom(seed);
  const names = Array.from({ length: symbols }, (_, i) => `SYM${i}USDT`);
  const prices = names.map((_, i) => 100 * (i + 1));
  const start = Date.UTC(2024, 7, 9);
  const out = new Array<StreamRecord<null, Trade>>(count);
  for (let i = 0; i < count; i++) {
    const s = Math.floor(random() * symbols);
    prices[s] = Math.max(0.01, prices[s]! * (1 + (random() - 0.5) * 0.001));
    const timestamp = start + Math.floor(i * meanGapMs - random() * jitterMs);
    out[i] = record(null, { symbol: names[s]!, price: prices[s]!, qty: random() }, timestamp);
  }
  return out;
}
