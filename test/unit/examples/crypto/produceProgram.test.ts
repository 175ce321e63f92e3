import { join } from 'node:path';
import { CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runProgram } from './runProgram.js';
import { SLICES } from './lines.js';

/** The produce command's checks, run in this process: each bad option stops it before it connects anywhere. */

const parse = runProgram;

const ENV = ['KAFKA_BROKERS', 'CRYPTO_SPEED', 'CRYPTO_SYMBOLS'] as const;
const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));
beforeEach(() => {
  for (const name of ENV) delete process.env[name];
});
afterEach(() => {
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

const brokers = ['--brokers', '127.0.0.1:1'];
const replay = ['--replay', SLICES.BTCUSDT.file];
const missing = join(SLICES.BTCUSDT.file, '..', 'missing.gz');

describe('tributary-crypto produce', () => {
  it('lists its options with their defaults and environment variables', async () => {
    expect((await parse(['--help'])).stdout).toContain('produce [options]');
    // Help is wrapped to the terminal's width: compare with single spaces.
    const stdout = (await parse(['produce', '--help'])).stdout.replace(/\s+/g, ' ');
    for (const text of [
      '--brokers <list>',
      'env: KAFKA_BROKERS',
      '--client <name>',
      '--trades-topic <topic>',
      'default: "binance-trades", env: CRYPTO_TRADES_TOPIC',
      '--klines-topic <topic>',
      'default: "binance-klines", env: CRYPTO_KLINES_TOPIC',
      'default: 4, env: CRYPTO_PARTITIONS',
      'default: 100000, env: CRYPTO_MAX_BUFFERED',
      'default: "wss://stream.binance.com:9443", env: CRYPTO_BINANCE_ENDPOINT',
      'default: BTCUSDT,ETHUSDT,XRPUSDT,SOLUSDT, env: CRYPTO_SYMBOLS',
      'default: 1m, env: CRYPTO_KLINE_INTERVALS',
      'default: 30s, env: CRYPTO_IDLE_TIMEOUT',
      'default: 23h, env: CRYPTO_ROTATE_AFTER',
      'default: 5s, env: CRYPTO_OVERLAP',
      '--replay <files...>',
      'default: 1, env: CRYPTO_SPEED',
      'default: 30s, env: CRYPTO_SHUTDOWN_TIMEOUT',
    ]) {
      expect(stdout).toContain(text);
    }
  });

  it.each([
    [
      'no brokers',
      replay,
      "error: required option '--brokers <list>' not specified: give it, or set KAFKA_BROKERS",
    ],
    [
      'a broker without a port',
      ['--brokers', 'localhost', ...replay],
      "error: option '--brokers <list>' argument 'localhost' is invalid. Expected host:port[,host:port…], got 'localhost'.",
    ],
    [
      'a speed of zero',
      [...brokers, ...replay, '--speed', '0'],
      "error: option '--speed <n|max>' argument '0' is invalid. Expected a number greater than 0 (2 for twice as fast) or 'max'.",
    ],
    [
      'a speed that is not a number',
      [...brokers, ...replay, '--speed', 'fast'],
      "error: option '--speed <n|max>' argument 'fast' is invalid.",
    ],
    [
      'a speed without --replay',
      [...brokers, '--speed', 'max'],
      "error: option '--speed <n|max>' applies only with --replay",
    ],
    [
      'a missing capture',
      [...brokers, '--replay', missing],
      `error: option '--replay <files...>': no such file: ${missing}`,
    ],
    [
      'a symbol that is not one',
      [...brokers, '--symbols', 'BTCUSDT,BTC-USDT'],
      "error: option '--symbols <list>' argument 'BTCUSDT,BTC-USDT' is invalid. Expected symbols like BTCUSDT,ETHUSDT, got 'BTC-USDT'.",
    ],
    [
      'a kline interval Binance does not have',
      [...brokers, '--kline-intervals', '1m,2m'],
      "error: option '--kline-intervals <list>' argument '1m,2m' is invalid. Expected intervals among 1s, 1m,",
    ],
    [
      'more streams than a connection takes',
      [...brokers, '--symbols', Array.from({ length: 513 }, (_, i) => `S${i}`).join(',')],
      "error: option '--symbols <list>': 1026 streams (symbols × (1 + kline intervals)) exceed Binance's 1024 per connection",
    ],
    [
      'an endpoint that is not a websocket URL',
      [...brokers, '--endpoint', 'https://stream.binance.com'],
      "error: option '--endpoint <url>' argument 'https://stream.binance.com' is invalid. Expected a ws:// or wss:// URL without a query",
    ],
    [
      'zero partitions',
      [...brokers, ...replay, '--partitions', '0'],
      "error: option '--partitions <n>' argument '0' is invalid. Expected a whole number of at least 1.",
    ],
    [
      'one topic for both stream types',
      [...brokers, ...replay, '--trades-topic', 'binance', '--klines-topic', 'binance'],
      "error: option '--klines-topic <topic>' must differ from --trades-topic, got binance for both",
    ],
    [
      'an overlap as long as the rotation',
      [...brokers, '--rotate-after', '1m', '--overlap', '1m'],
      "error: option '--overlap <duration>' must be shorter than --rotate-after (1m), got 1m",
    ],
    [
      'an unknown client',
      [...brokers, ...replay, '--client', 'librdkafka'],
      "error: option '--client <name>' argument 'librdkafka' is invalid. Allowed choices are kafkajs, platformatic.",
    ],
  ])('rejects %s, naming the option', async (_what, args, message) => {
    const { error, stderr } = await parse(['produce', ...args]);
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).exitCode).toBe(1);
    expect(stderr).toContain(message);
  });

  it('names the environment variable a bad value came from', async () => {
    process.env['KAFKA_BROKERS'] = 'kafka';
    const { stderr } = await parse(['produce', ...replay]);
    expect(stderr).toContain(
      "error: option '--brokers <list>' value 'kafka' from env 'KAFKA_BROKERS' is invalid.",
    );
  });
});
