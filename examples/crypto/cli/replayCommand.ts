import { stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { Duration } from '../../../src/index.js';
import { createLogger } from '../../../src/metrics/index.js';
import { readCaptureFile } from '../readCaptureFile.js';
import { replay, type ReplaySettings } from '../replay.js';
import type { CliIo } from './CliIo.js';
import { windowOptions, withOptions } from './options.js';

interface ReplayOptions {
  readonly input: readonly string[];
  readonly output: string;
  readonly late?: string;
  readonly deadLetter?: string;
  readonly window: number;
  readonly slide: number;
  readonly watermark: number;
}

const jsonLines = (lines: readonly string[]): string => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);

/** The flags and values that must hold together, checked before anything is read. */
const validate = async (command: Command, options: ReplayOptions): Promise<void> => {
  const fail = (message: string): never =>
    command.error(`error: ${message}`, { code: 'crypto.invalidOption' });
  if (options.slide > options.window) {
    const [slide, window] = [Duration.format(options.slide), Duration.format(options.window)];
    fail(`option '--slide <duration>' must not exceed --window (${window}), got ${slide}`);
  }
  for (const file of options.input) {
    const found = await stat(file).catch(() => undefined);
    if (found === undefined) fail(`option '--input <files...>': no such file: ${file}`);
    else if (!found.isFile()) fail(`option '--input <files...>': not a file: ${file}`);
  }
  const outputs: [flag: string, path: string | undefined][] = [
    ['--output <file>', options.output],
    ['--late <file>', options.late],
    ['--dead-letter <file>', options.deadLetter],
  ];
  const inputs = new Set(options.input.map((f) => resolve(f)));
  const taken = new Map<string, string>();
  for (const [flag, path] of outputs) {
    if (path === undefined) continue;
    const full = resolve(path);
    if (inputs.has(full)) fail(`option '${flag}': ${path} is also an input file`);
    const other = taken.get(full);
    if (other !== undefined) fail(`option '${flag}': ${path} is also the file of ${other}`);
    taken.set(full, flag);
    const folder = await stat(dirname(full)).catch(() => undefined);
    if (folder === undefined || !folder.isDirectory())
      fail(`option '${flag}': no such directory: ${dirname(path)}`);
    const existing = await stat(full).catch(() => undefined);
    if (existing?.isDirectory() === true) fail(`option '${flag}': ${path} is a directory`);
  }
};

/** Writes a result file; a failure names the option whose file it is. */
const writeOutput = async (command: Command, flag: string, path: string, lines: readonly string[]) => {
  try {
    await writeFile(path, jsonLines(lines));
  } catch (error) {
    command.error(`error: option '${flag}': cannot write ${path}: ${(error as Error).message}`, {
      code: 'crypto.writeFailed',
    });
  }
};

const run = async (io: CliIo, command: Command): Promise<void> => {
  const options = command.opts<ReplayOptions>();
  await validate(command, options);
  const { logLevel } = command.optsWithGlobals<{ logLevel?: string }>();
  const log = createLogger({
    app: 'tributary-crypto',
    name: 'replay',
    destination: io.stderr,
    ...(logLevel === undefined ? {} : { level: logLevel }),
  });
  const settings: ReplaySettings = {
    windowMs: options.window,
    slideMs: options.slide,
    watermarkMs: options.watermark,
  };
  log.info(options, 'replay started');
  const started = performance.now();
  const captures = await Promise.all(
    options.input.map((file) =>
      readCaptureFile(file).catch((error: unknown) =>
        command.error(
          `error: option '--input <files...>': cannot read ${file}: ${(error as Error).message}`,
          {
            code: 'crypto.readFailed',
          },
        ),
      ),
    ),
  );
  const read = performance.now();
  const result = replay(captures, settings);
  const replayed = performance.now();

  await writeOutput(
    command,
    '--output <file>',
    options.output,
    result.windows.map((w) => JSON.stringify(w)),
  );
  if (options.late !== undefined) await writeOutput(command, '--late <file>', options.late, result.late);
  if (options.deadLetter !== undefined) {
    await writeOutput(
      command,
      '--dead-letter <file>',
      options.deadLetter,
      result.deadLetters.map((d) => JSON.stringify(d)),
    );
  }
  if (result.deadLetters.length > 0) {
    log.warn(
      {
        decodeFailures: result.counts.decodeFailures,
        unreadableLines: result.counts.unreadableLines,
        first: result.deadLetters.slice(0, 5).map((d) => `${d.source}:${d.line}: ${d.message}`),
        ...(options.deadLetter === undefined ? {} : { deadLetter: options.deadLetter }),
      },
      'lines left out: trades that failed to decode and unreadable lines',
    );
  }
  const ms = (from: number, to: number) => Math.round(to - from);
  log.info(
    {
      ...result.counts,
      readMs: ms(started, read),
      replayMs: ms(read, replayed),
      totalMs: ms(started, performance.now()),
    },
    'replay finished',
  );
};

/** `replay`: captures → moving averages, late trades and dead letters, in files. */
export const replayCommand = (io: CliIo): Command =>
  withOptions(new Command('replay'), windowOptions())
    .description(
      'Backtest: replay Binance captures through the moving-average pipeline on the in-memory log, ' +
        'deterministically, and write every closed window to a JSON Lines file.',
    )
    .requiredOption(
      '--input <files...>',
      'captures (`<local time> <combined-stream JSON>` lines, gzip or plain), merged by local time',
    )
    .addOption(
      new Option('--output <file>', 'where the windows go, one JSON object per line')
        .env('CRYPTO_OUTPUT')
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--late <file>', "late trades, each as the trade's JSON as captured").env('CRYPTO_LATE'),
    )
    .addOption(
      new Option(
        '--dead-letter <file>',
        'trades that failed to decode and unreadable lines, with the reason (else only logged)',
      ).env('CRYPTO_DEAD_LETTER'),
    )
    .addHelpText(
      'after',
      `
Durations: '500ms', '30s', '1m', '1m30s', or whole milliseconds.

Example, from the repository root:
  npm run crypto -- replay \\
    --input examples/crypto/data/btcusdt_20240808_head.gz examples/crypto/data/ethusdt_20240808_head.gz \\
    --output averages.jsonl --late late.jsonl --dead-letter rejected.jsonl`,
    )
    .action(async (_options: unknown, command: Command) => run(io, command));
