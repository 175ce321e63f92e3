/**
 * The crypto analytics example on the embedded engine: replays recorded Binance trades (BTCUSDT and
 * ETHUSDT, 2024-08-08 23:54 → 2024-08-09 00:05 UTC) through 30 s sliding moving averages and 1 minute
 * OHLCV candles with a 1 minute watermark, and prints each candle as it closes.
 *
 *   npm start                       # the bundled recording
 *   npm start -- --file trades.jsonl.gz
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import { bufferCount, from } from 'rxjs';
import { KStream, record, RunContext, Watermark, type StreamRecord } from '../../src/index.js';
import { cryptoAnalytics, type MovingAverage } from './pipeline.js';
import { decodeTrade, type Trade } from './trade.js';

const BUNDLED = new URL('./data/binance-trades-2024-08-08.jsonl.gz', import.meta.url).pathname;

async function readTrades(
  file: string,
): Promise<{ trades: StreamRecord<null, Trade>[]; rejected: string[] }> {
  const input = createReadStream(file);
  const lines = createInterface({ input: file.endsWith('.gz') ? input.pipe(createGunzip()) : input });
  const trades: StreamRecord<null, Trade>[] = [];
  const rejected: string[] = [];
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    const decoded = decodeTrade(line);
    if (E.isRight(decoded)) trades.push(record(null, decoded.right, decoded.right.time));
    else rejected.push(`line ${n}: ${decoded.left}`);
  }
  return { trades, rejected };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const fixed = (n: number, digits: number) => n.toFixed(digits).padStart(12);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { file: { type: 'string', default: BUNDLED } } });
  const { trades, rejected } = await readTrades(values.file!);
  for (const reason of rejected) process.stderr.write(`rejected ${reason}\n`);

  const source = KStream.fromBatches(from(trades).pipe(bufferCount(500)), {
    watermark: { maxOutOfOrderness: '1m' },
  });
  const ctx = new RunContext();
  const latestAverage = new Map<string, MovingAverage>();
  let averages = 0;
  let candles = 0;
  let late = 0;
  ctx.diverted.subscribe(() => late++);
  process.stdout.write(
    `${'symbol'.padEnd(8)} ${'minute (UTC)'.padEnd(20)} ${'open'.padStart(12)} ${'high'.padStart(12)} ` +
      `${'low'.padStart(12)} ${'close'.padStart(12)} ${'volume'.padStart(12)} ${'trades'.padStart(6)} ` +
      `${'30s MA'.padStart(12)}\n`,
  );
  cryptoAnalytics(source)
    .chunks(ctx)
    .subscribe((chunk) => {
      for (const e of chunk) {
        if (e instanceof Watermark) continue;
        const output = e.value;
        if (output.kind === 'moving-average') {
          averages++;
          latestAverage.set(e.key, output.result.value);
          continue;
        }
        candles++;
        const c = output.result.value;
        const ma = latestAverage.get(e.key);
        process.stdout.write(
          `${e.key.padEnd(8)} ${iso(output.result.window.start).padEnd(20)} ${fixed(c.open, 2)} ${fixed(c.high, 2)} ` +
            `${fixed(c.low, 2)} ${fixed(c.close, 2)} ${fixed(c.volume, 4)} ${String(c.trades).padStart(6)} ` +
            `${ma ? fixed(ma.price, 2) : ''.padStart(12)}\n`,
        );
      }
    });
  ctx.start();
  process.stdout.write(
    `\n${trades.length} trades replayed, ${rejected.length} rejected, ${late} late; ` +
      `${candles} candles and ${averages} sliding-window averages computed\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
