import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type LoggerOptions } from '../../../src/metrics/createLogger.js';
import { MetricsError } from '../../../src/metrics/MetricsError.js';

/** A logger writing into memory, and what it wrote so far, chunk by chunk. */
const capture = (options: Omit<LoggerOptions, 'destination'> = {}) => {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const log = createLogger({ ...options, destination });
  /** Every line parsed as JSON: fails unless each line is exactly one JSON object. */
  const lines = (): Record<string, unknown>[] => {
    const text = chunks.join('');
    expect(text.endsWith('\n')).toBe(true);
    return text
      .slice(0, -1)
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  return { log, chunks, lines };
};

describe('createLogger', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('writes one JSON object per line with level, time, app, pid, name and msg', () => {
    vi.stubEnv('TRIBUTARY_LOG_LEVEL', undefined);
    const { log, chunks, lines } = capture({ app: 'crypto-analytics', name: 'kafka-source' });
    log.info({ topic: 'trades', partitions: [0, 1] }, 'assigned');
    log.warn('a message\nspanning "two" lines');
    log.debug('not written at info');

    expect(chunks).toHaveLength(2);
    const [first, second] = lines();
    expect(first).toEqual({
      level: 30,
      time: expect.any(Number),
      app: 'crypto-analytics',
      pid: process.pid,
      name: 'kafka-source',
      topic: 'trades',
      partitions: [0, 1],
      msg: 'assigned',
    });
    expect(Object.keys(first!).slice(0, 5)).toEqual(['level', 'time', 'app', 'pid', 'name']);
    expect(second).toMatchObject({ level: 40, msg: 'a message\nspanning "two" lines' });
  });

  it("names the app and the logger 'tributary' by default, the logger after the app if only that is given", () => {
    vi.stubEnv('TRIBUTARY_LOG_LEVEL', undefined);
    const plain = capture();
    plain.log.info('started');
    const named = capture({ app: 'candles' });
    named.log.info('started');

    expect(plain.lines()[0]).toMatchObject({ app: 'tributary', name: 'tributary' });
    expect(named.lines()[0]).toMatchObject({ app: 'candles', name: 'candles' });
  });

  it('redacts secrets at any depth, in arrays and in child bindings, and leaves the logged object as it was', () => {
    const { log, lines } = capture({ level: 'info' });
    const config = {
      password: 'top-level',
      kafka: {
        brokers: ['localhost:9092'],
        sasl: { mechanism: 'scram-sha-256', username: 'app', password: 'hunter2' },
        ssl: { ca: 'public ca', key: '-----BEGIN PRIVATE KEY-----', passphrase: 'pass' },
      },
      influx: { url: 'http://localhost:8086', token: 'influx-token' },
      sinks: [{ url: 'http://sink', headers: { authorization: 'Bearer abc' } }],
      plain: { ssl: true, tokenizer: 'keep me', secretary: 'keep me too' },
    };
    log.info({ config }, 'starting');
    log.child({ credentials: { secret: 's3cr3t' } }).info('child');

    const [starting, child] = lines();
    expect(starting!['config']).toEqual({
      password: '[redacted]',
      kafka: {
        brokers: ['localhost:9092'],
        sasl: '[redacted]',
        ssl: { ca: 'public ca', key: '[redacted]', passphrase: '[redacted]' },
      },
      influx: { url: 'http://localhost:8086', token: '[redacted]' },
      sinks: [{ url: 'http://sink', headers: { authorization: '[redacted]' } }],
      plain: { ssl: true, tokenizer: 'keep me', secretary: 'keep me too' },
    });
    expect(child).toMatchObject({ credentials: { secret: '[redacted]' }, msg: 'child' });
    expect(config.kafka.sasl.password).toBe('hunter2');
  });

  it('redacts inside class instances and errors, keeps dates and buffers, and cannot be led back by a cycle', () => {
    const { log, lines } = capture({ level: 'info' });
    class Credentials {
      constructor(readonly password: string) {}
    }
    const config: Record<string, unknown> = { token: 't', when: new Date(0), bytes: Buffer.from('hi') };
    config['owner'] = new Credentials('c');
    config['self'] = config;
    const error = Object.assign(new Error('request failed'), {
      request: { headers: { authorization: 'Bearer x' } },
    });
    log.info({ config, list: [config] }, 'cyclic');
    log.error(error, 'failed');
    log.info(JSON.parse('{"__proto__": {"password": "p"}, "plain": 1}') as object, 'proto key');

    const [cyclic, failed, proto] = lines();
    expect(cyclic!['config']).toEqual({
      token: '[redacted]',
      when: '1970-01-01T00:00:00.000Z',
      bytes: { type: 'Buffer', data: [104, 105] },
      owner: { password: '[redacted]' },
      self: '[Circular]',
    });
    expect(cyclic!['list']).toEqual([cyclic!['config']]);
    expect(failed!['err']).toEqual({
      type: 'Error',
      message: 'request failed',
      stack: expect.stringContaining('Error: request failed'),
      request: { headers: { authorization: '[redacted]' } },
    });
    expect(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value).toEqual({ password: '[redacted]' });
    expect(proto).toMatchObject({ plain: 1, msg: 'proto key' });
    expect([config['token'], (config['owner'] as Credentials).password]).toEqual(['t', 'c']);
    expect(error.request.headers.authorization).toBe('Bearer x');
  });

  it('redacts the keys given on top of the standard ones, a dotted key only under its parent', () => {
    const { log, lines } = capture({ level: 'info', redact: ['apiKey', 'headers.x-api-key'] });
    log.info({
      binance: { apiKey: 'k', symbols: ['BTCUSDT'] },
      headers: { 'x-api-key': 'k', accept: '*/*' },
      token: 't',
    });

    expect(lines()[0]).toMatchObject({
      binance: { apiKey: '[redacted]', symbols: ['BTCUSDT'] },
      headers: { 'x-api-key': '[redacted]', accept: '*/*' },
      token: '[redacted]',
    });
  });

  it('takes the level from the options, else TRIBUTARY_LOG_LEVEL, else info', () => {
    vi.stubEnv('TRIBUTARY_LOG_LEVEL', ' DEBUG ');
    const fromEnv = capture();
    fromEnv.log.debug('written');
    fromEnv.log.trace('not written');
    const fromOptions = capture({ level: 'error' });
    fromOptions.log.warn('not written');
    fromOptions.log.error('written');
    vi.stubEnv('TRIBUTARY_LOG_LEVEL', '');
    const byDefault = capture();
    byDefault.log.debug('not written');
    byDefault.log.info('written');

    expect(fromEnv.lines().map((l) => l['level'])).toEqual([20]);
    expect(fromOptions.lines().map((l) => l['level'])).toEqual([50]);
    expect(byDefault.lines().map((l) => l['level'])).toEqual([30]);
    expect(capture({ level: 'silent' }).log.isLevelEnabled('fatal')).toBe(false);
  });

  it('rejects an unknown level, naming where it came from', () => {
    vi.stubEnv('TRIBUTARY_LOG_LEVEL', 'loud');
    for (const [options, field] of [
      [{}, 'TRIBUTARY_LOG_LEVEL'],
      [{ level: 'verbose' }, 'level'],
    ] as const) {
      const error = (() => {
        try {
          createLogger(options);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(MetricsError);
      expect(error).toMatchObject({ code: 'CONFIG_INVALID', field, message: expect.stringContaining(field) });
    }
  });
});
