import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tradeJson, tradeLine } from './helpers.js';
import { SLICES, sliceLines } from './lines.js';
import { referenceReplay } from './replayReference.js';

/** The command line, run as a user runs it: a child process from the repository root. */

const ROOT = new URL('../../../../', import.meta.url).pathname;
const BIN = join(ROOT, 'examples/crypto/cli/bin.mjs');
const dir = mkdtempSync(join(tmpdir(), 'crypto-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `tributary-crypto <args>` with the environment given on top of this one, without its CRYPTO_ variables. */
const cli = (args: readonly string[], env: Record<string, string> = {}) => {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('CRYPTO_')),
  );
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...inherited, TRIBUTARY_LOG_LEVEL: 'info', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
};

const linesOf = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
const logsOf = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

// Each test starts Node.js and compiles the example with tsx: seconds, not milliseconds.
describe('npm run crypto -- replay', { timeout: 60_000 }, () => {
  it('replays the recorded slices into windows ordered by end then symbol, as the reference computes them', () => {
    const output = join(dir, 'averages.jsonl');
    const late = join(dir, 'late.jsonl');
    const deadLetter = join(dir, 'rejected.jsonl');
    const run = spawnSync(
      'npm',
      [
        'run',
        '--silent',
        'crypto',
        '--',
        'replay',
        '--input',
        SLICES.BTCUSDT.file,
        SLICES.ETHUSDT.file,
        '--output',
        output,
        '--late',
        late,
        '--dead-letter',
        deadLetter,
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'info' } },
    );
    expect(run.status, run.stderr).toBe(0);

    const lines = linesOf(output);
    const windows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const w of windows) {
      expect(Object.keys(w)).toEqual([
        'symbol',
        'windowStart',
        'windowEnd',
        'average_price',
        'count',
        'volume',
      ]);
      expect(['BTCUSDT', 'ETHUSDT']).toContain(w['symbol']);
      expect(w['windowEnd']).toBe((w['windowStart'] as number) + 30_000);
      expect((w['windowStart'] as number) % 5_000).toBe(0);
      expect(Number.isInteger(w['count']) && (w['count'] as number) > 0).toBe(true);
    }
    const order = windows.map((w) => [w['windowEnd'] as number, w['symbol'] as string] as const);
    expect(order).toEqual([...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)));
    expect(new Set(order.map(([end, symbol]) => `${end} ${symbol}`)).size).toBe(order.length);

    const expected = referenceReplay([sliceLines('BTCUSDT'), sliceLines('ETHUSDT')], {
      windowMs: 30_000,
      slideMs: 5_000,
      watermarkMs: 60_000,
    });
    expect(lines).toEqual(expected.windows);
    expect(readFileSync(late, 'utf8')).toBe('');
    expect(readFileSync(deadLetter, 'utf8')).toBe('');

    const finished = logsOf(run.stderr).find((l) => l['msg'] === 'replay finished');
    expect(finished).toMatchObject({
      level: 30,
      app: 'tributary-crypto',
      lines: SLICES.BTCUSDT.lines + SLICES.ETHUSDT.lines,
      trades: SLICES.BTCUSDT.trades + SLICES.ETHUSDT.trades,
      decoded: SLICES.BTCUSDT.trades + SLICES.ETHUSDT.trades,
      late: 0,
      windows: lines.length,
      decodeFailures: 0,
      skipped: {
        bookTicker: SLICES.BTCUSDT.bookTickers + SLICES.ETHUSDT.bookTickers,
        depthUpdate: SLICES.BTCUSDT.depthUpdates + SLICES.ETHUSDT.depthUpdates,
        depthSnapshot: 2,
      },
    });
  });

  it('writes late trades as captured and dead letters with the reason, from a plain-text capture', () => {
    const input = join(dir, 'capture.txt');
    const late = { s: 'BTCUSDT', p: '2.5', q: '1', T: 1_723_161_251_000 };
    const bad = { s: 'BTCUSDT', p: 'abc', q: '1', T: 1_723_161_252_000 };
    writeFileSync(
      input,
      [
        tradeLine(1, { s: 'BTCUSDT', p: '1.5', q: '2', T: 1_723_161_300_000 }),
        tradeLine(2, late),
        tradeLine(3, bad),
        'not a capture line',
      ].join('\n'),
    );
    const [output, lateFile, deadLetter] = ['out.jsonl', 'late2.jsonl', 'dlq.jsonl'].map((f) => join(dir, f));
    const run = cli(
      ['replay', '--input', input, '--output', output!, '--watermark', '10s', '--window', '10s'],
      { CRYPTO_LATE: lateFile!, CRYPTO_DEAD_LETTER: deadLetter! },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(linesOf(output!).map((l) => JSON.parse(l) as unknown)).toEqual([
      {
        symbol: 'BTCUSDT',
        windowStart: 1_723_161_295_000,
        windowEnd: 1_723_161_305_000,
        average_price: 1.5,
        count: 1,
        volume: 2,
      },
      {
        symbol: 'BTCUSDT',
        windowStart: 1_723_161_300_000,
        windowEnd: 1_723_161_310_000,
        average_price: 1.5,
        count: 1,
        volume: 2,
      },
    ]);
    expect(linesOf(lateFile!)).toEqual([tradeJson(late)]);
    expect(linesOf(deadLetter!).map((l) => JSON.parse(l) as unknown)).toEqual([
      {
        source: input,
        line: 4,
        code: 'CAPTURE_LINE_INVALID',
        message: 'expected "<integer local time> <JSON>"',
        paths: [],
        value: 'not a capture line',
      },
      {
        source: input,
        line: 3,
        code: 'DECODE_FAILED',
        message: 'json(BinanceTrade) cannot decode trades/0@2: p: expected PositiveDecimal, got "abc"',
        paths: ['p: expected PositiveDecimal, got "abc"'],
        value: tradeJson(bad),
      },
    ]);
    const warning = logsOf(run.stderr).find((l) => l['level'] === 40);
    expect(warning).toMatchObject({ decodeFailures: 1, unreadableLines: 1, deadLetter });
  });

  it('prints its usage', () => {
    const run = cli(['replay', '--help']);
    expect(run.status).toBe(0);
    for (const flag of [
      '--input <files...>',
      '--output <file>',
      '--late <file>',
      '--dead-letter <file>',
      '--window <duration>',
      '--slide <duration>',
      '--watermark <duration>',
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });

  it('fails with status 1 and an error naming the option', () => {
    const run = cli([
      'replay',
      '--input',
      SLICES.BTCUSDT.file,
      '--output',
      join(dir, 'unused.jsonl'),
      '--window',
      'soon',
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("error: option '--window <duration>' argument 'soon' is invalid.");
  });
});
