/**
 * In-memory engine benchmark (`npm run bench:engine`).
 *
 * 5 million synthetic trades over 16 symbols, slightly out of order, flow as 1 000-record batches through
 * filter → selectKey → hopping 30 s / 5 s mean (`final` mode, 5 s out-of-orderness), and through a
 * hand-written loop that computes the same window means in the same process. Both results are checked
 * equal before any number is printed. The sliding-window and tumbling-OHLCV rates are reported beside it.
 *
 * Each row is the median of five timed runs after one warm-up run. Prints a table, then as its last line
 * one JSON object:
 * `{"bench":"engine","ours_rps":…,"baseline_rps":…,"ratio":…,"sliding_rps":…,"ohlcv_rps":…}`.
 *
 * Options (environment): BENCH_RECORDS (default 5000000), BENCH_SLIDING_RECORDS (default 100000).
 */
import { Subject } from 'rxjs';
import { aggregators, hopping, KStream, sliding, tumbling, type StreamRecord } from '../src/index.js';
import { RunContext } from '../src/core/RunContext.js';
import { Watermark, type Chunk } from '../src/core/Chunk.js';
import { measure, printTable, type Measurement } from './measure.js';
import { randomTrades, type Trade } from './trades.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 5_000_000);
const SLIDING_RECORDS = Number(process.env.BENCH_SLIDING_RECORDS ?? 100_000);
const KEYS = 16;
const BATCH = 1_000;
const SIZE_MS = 30_000;
const ADVANCE_MS = 5_000;
const DELAY_MS = 5_000;

interface WindowMean {
  readonly key: string;
  readonly start: number;
  readonly mean: number;
}

/** Runs `topology` over `input` in batches; returns the output records and per-batch latencies (ms). */
function runPipeline<R>(
  input: readonly StreamRecord<null, Trade>[],
  topology: (source: KStream<null, Trade>) => KStream<string, R>,
): { outputs: StreamRecord<string, R>[]; latencies: number[] } {
  const batches = new Subject<Chunk<null, Trade>>();
  const ctx = new RunContext();
  const outputs: StreamRecord<string, R>[] = [];
  const out = topology(KStream.fromChunks(batches, { watermark: { maxOutOfOrderness: DELAY_MS } }));
  out.chunks(ctx).subscribe((chunk) => {
    for (const e of chunk) if (!(e instanceof Watermark)) outputs.push(e);
  });
  ctx.start();
  const latencies: number[] = [];
  for (let i = 0; i < input.length; i += BATCH) {
    const started = performance.now();
    batches.next(input.slice(i, i + BATCH));
    latencies.push(performance.now() - started);
  }
  batches.complete();
  return { outputs, latencies };
}

const hoppingMean = (source: KStream<null, Trade>) =>
  source
    .filter((t) => t.price > 0)
    .selectKey((t) => t.symbol)
    .window(hopping(SIZE_MS, ADVANCE_MS))
    .aggregate(aggregators.mean((t: Trade) => t.price));

/**
 * The same numbers by hand: per symbol, panes of 5 s hold a price sum and count; when the watermark
 * (max event time − delay) passes a window's end, the window's six panes are summed and emitted.
 */
function handWritten(input: readonly StreamRecord<null, Trade>[]): {
  outputs: WindowMean[];
  latencies: number[];
} {
  interface Pane {
    sum: number;
    count: number;
  }
  const panes = new Map<string, Map<number, Pane>>();
  const outputs: WindowMean[] = [];
  const latencies: number[] = [];
  const panesPerWindow = SIZE_MS / ADVANCE_MS;
  let maxTime = -Infinity;
  let minTime = Infinity;
  let nextClose = -Infinity; // start of the next window to close; known once the first window closes
  const closeUpTo = (watermark: number, final: boolean): void => {
    if (minTime === Infinity) return;
    if (nextClose === -Infinity) {
      nextClose = Math.max(0, (Math.floor(minTime / ADVANCE_MS) - panesPerWindow + 1) * ADVANCE_MS);
    }
    while (final ? panes.size > 0 : nextClose + SIZE_MS <= watermark) {
      const first = nextClose / ADVANCE_MS;
      for (const [key, byPane] of panes) {
        let sum = 0;
        let count = 0;
        for (let p = first; p < first + panesPerWindow; p++) {
          const pane = byPane.get(p);
          if (pane) {
            sum += pane.sum;
            count += pane.count;
          }
        }
        if (count > 0) outputs.push({ key, start: nextClose, mean: sum / count });
        byPane.delete(first);
        if (byPane.size === 0) panes.delete(key);
      }
      nextClose += ADVANCE_MS;
    }
  };
  for (let i = 0; i < input.length; i += BATCH) {
    const started = performance.now();
    const end = Math.min(i + BATCH, input.length);
    for (let j = i; j < end; j++) {
      const r = input[j]!;
      const trade = r.value;
      if (!(trade.price > 0)) continue;
      const t = r.timestamp;
      const pane = Math.floor(t / ADVANCE_MS);
      // Late: every window containing t has closed.
      if (pane * ADVANCE_MS < nextClose) continue;
      if (t < minTime) minTime = t;
      let byPane = panes.get(trade.symbol);
      if (byPane === undefined) {
        byPane = new Map();
        panes.set(trade.symbol, byPane);
      }
      const acc = byPane.get(pane);
      if (acc) {
        acc.sum += trade.price;
        acc.count += 1;
      } else byPane.set(pane, { sum: trade.price, count: 1 });
      if (t > maxTime) {
        maxTime = t;
        closeUpTo(maxTime - DELAY_MS, false);
      }
    }
    latencies.push(performance.now() - started);
  }
  closeUpTo(Infinity, true);
  return { outputs, latencies };
}

function checksum(results: readonly WindowMean[]): string {
  const sorted = [...results].sort(
    (a, b) => a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  let sum = 0;
  for (const r of sorted) sum += r.mean * (1 + (r.start % 7));
  return `${sorted.length}:${sum.toFixed(6)}`;
}

function main(): void {
  const input = randomTrades(RECORDS, KEYS, { seed: 7, meanGapMs: 0.5, jitterMs: 2_000 });
  const rows: Measurement[] = [];

  let ours: WindowMean[] = [];
  rows.push(
    measure('tributary: filter → key → hopping 30s/5s mean', RECORDS, () => {
      const { outputs, latencies } = runPipeline(input, hoppingMean);
      ours = outputs.map((r) => ({ key: r.key, start: r.value.window.start, mean: r.value.value }));
      return latencies;
    }),
  );
  let baseline: WindowMean[] = [];
  rows.push(
    measure('hand-written loop, same numbers', RECORDS, () => {
      const { outputs, latencies } = handWritten(input);
      baseline = outputs;
      return latencies;
    }),
  );
  if (checksum(ours) !== checksum(baseline)) {
    throw new Error(`results differ: tributary ${checksum(ours)} vs hand-written ${checksum(baseline)}`);
  }

  const slidingInput = randomTrades(SLIDING_RECORDS, KEYS, { seed: 11, meanGapMs: 6.25, jitterMs: 2_000 });
  rows.push(
    measure(`tributary: sliding 30s mean (≈300 records per window)`, SLIDING_RECORDS, () => {
      return runPipeline(slidingInput, (source) =>
        source
          .selectKey((t) => t.symbol)
          .window(sliding(SIZE_MS))
          .aggregate(aggregators.mean((t: Trade) => t.price)),
      ).latencies;
    }),
  );
  rows.push(
    measure('tributary: tumbling 1m OHLCV', RECORDS, () => {
      return runPipeline(input, (source) =>
        source
          .selectKey((t) => t.symbol)
          .window(tumbling('1m'))
          .aggregate(aggregators.ohlcv({ price: (t: Trade) => t.price, volume: (t: Trade) => t.qty })),
      ).latencies;
    }),
  );

  printTable(
    rows,
    `latency = time to process one ${BATCH}-record batch; results checked equal (${checksum(ours)})`,
  );
  const [oursRow, baseRow, slidingRow, ohlcvRow] = rows as [
    Measurement,
    Measurement,
    Measurement,
    Measurement,
  ];
  process.stdout.write(
    `${JSON.stringify({
      bench: 'engine',
      ours_rps: Math.round(oursRow.recordsPerSecond),
      baseline_rps: Math.round(baseRow.recordsPerSecond),
      ratio: Number((oursRow.recordsPerSecond / baseRow.recordsPerSecond).toFixed(3)),
      sliding_rps: Math.round(slidingRow.recordsPerSecond),
      ohlcv_rps: Math.round(ohlcvRow.recordsPerSecond),
    })}\n`,
  );
}

main();
