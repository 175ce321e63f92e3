import { join } from 'node:path';
import { CommanderError } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { runProgram } from './runProgram.js';
import { SLICES } from './lines.js';

/** The command line's checks, run in this process: what it prints, and that it stops before any work. */

const parse = runProgram;

const input = ['--input', SLICES.BTCUSDT.file];
const missing = join(SLICES.BTCUSDT.file, '..', 'missing.gz');
const out = ['--output', join(SLICES.BTCUSDT.file, '..', 'unused.jsonl')];

afterEach(() => {
  delete process.env['CRYPTO_WATERMARK'];
});

describe('tributary-crypto', () => {
  it('lists its commands, and each command its options with defaults and environment variables', async () => {
    expect((await parse(['--help'])).stdout).toContain('replay [options]');
    const { stdout } = await parse(['replay', '--help']);
    for (const text of [
      '--input <files...>',
      '--output <file>',
      'CRYPTO_OUTPUT',
      '--late <file>',
      'CRYPTO_LATE',
      '--dead-letter <file>',
      'CRYPTO_DEAD_LETTER',
      '--window <duration>',
      'default: 30s, env: CRYPTO_WINDOW',
      '--slide <duration>',
      'default: 5s, env: CRYPTO_SLIDE',
      '--watermark <duration>',
      'default: 1m, env: CRYPTO_WATERMARK',
    ]) {
      expect(stdout).toContain(text);
    }
  });

  it.each([
    [
      'a bad duration',
      [...input, ...out, '--window', 'soon'],
      "error: option '--window <duration>' argument 'soon' is invalid. Expected a duration like '500ms', '30s', '1m', '1m30s' or whole milliseconds.",
    ],
    [
      'a zero window',
      [...input, ...out, '--window', '0s'],
      "error: option '--window <duration>' argument '0s' is invalid. Expected a duration greater than zero.",
    ],
    [
      'a zero slide',
      [...input, ...out, '--slide', '0'],
      "error: option '--slide <duration>' argument '0' is invalid. Expected a duration greater than zero.",
    ],
    [
      'a slide over the window',
      [...input, ...out, '--slide', '1m'],
      "error: option '--slide <duration>' must not exceed --window (30s), got 1m",
    ],
    [
      'a negative watermark',
      [...input, ...out, '--watermark=-1s'],
      "error: option '--watermark <duration>' argument '-1s' is invalid.",
    ],
    [
      'a missing input file',
      ['--input', missing, ...out],
      `error: option '--input <files...>': no such file: ${missing}`,
    ],
    [
      'a folder as input',
      ['--input', join(SLICES.BTCUSDT.file, '..'), ...out],
      "error: option '--input <files...>': not a file:",
    ],
    ['no input', out, "error: required option '--input <files...>' not specified"],
    ['no output', input, "error: required option '--output <file>' not specified"],
    [
      'an output in a missing folder',
      [...input, '--output', join(missing, 'out.jsonl')],
      "error: option '--output <file>': no such directory:",
    ],
    [
      'an input as output',
      [...input, '--output', SLICES.BTCUSDT.file],
      "error: option '--output <file>': " + SLICES.BTCUSDT.file + ' is also an input file',
    ],
    [
      'the output as late file',
      [...input, ...out, '--late', out[1]!],
      `error: option '--late <file>': ${out[1]} is also the file of --output <file>`,
    ],
    [
      'an unknown option',
      [...input, ...out, '--windw', '1m'],
      "error: unknown option '--windw'\n(Did you mean --window?)",
    ],
  ])('rejects %s, naming the option', async (_what, args, message) => {
    const { error, stderr } = await parse(['replay', ...args]);
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).exitCode).toBe(1);
    expect(stderr).toContain(message);
  });

  it('names the environment variable a bad value came from', async () => {
    process.env['CRYPTO_WATERMARK'] = '1 minute';
    const { error, stderr } = await parse(['replay', ...input, ...out]);
    expect(error).toBeInstanceOf(CommanderError);
    expect(stderr).toContain(
      "error: option '--watermark <duration>' value '1 minute' from env 'CRYPTO_WATERMARK' is invalid.",
    );
  });

  it('rejects an unknown log level and an unknown command', async () => {
    expect((await parse(['--log-level', 'loud', 'replay', ...input, ...out])).stderr).toContain(
      "error: option '--log-level <level>' argument 'loud' is invalid. Allowed choices are trace, debug, info, warn, error, fatal, silent.",
    );
    expect((await parse(['publish'])).stderr).toContain("error: unknown command 'publish'");
  });
});
