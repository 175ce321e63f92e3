import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TributaryException, type TributaryError } from '../../../../src/core/errors.js';
import { record, type StreamRecord } from '../../../../src/core/StreamRecord.js';
import type { Sink } from '../../../../src/sinks/Sink.js';
import {
  influxSink,
  type InfluxSinkOptions,
  type RejectedPoint,
} from '../../../../src/sinks/influxdb/index.js';

const TOKEN = 'never-to-be-seen-token-0123456789';
// Nothing listens there, and nothing is sent in these tests: every record below fails before a request.
const connection = { url: 'http://127.0.0.1:9', token: TOKEN, org: 'acme', bucket: 'crypto' };

interface Reading {
  readonly v: number;
}
const options: InfluxSinkOptions<string, Reading> = {
  connection,
  point: { measurement: 'readings', tags: { sensor: (r) => r.key }, fields: { v: (r) => r.value.v } },
};

const configErrorOf = (given: unknown): TributaryError => {
  try {
    void influxSink(given as InfluxSinkOptions<string, Reading>);
  } catch (error) {
    if (error instanceof TributaryException) return error.error;
    throw error;
  }
  throw new Error('expected a configuration error');
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('influxSink configuration', () => {
  it('fails at once, naming the field', () => {
    expect(configErrorOf({ ...options, batchSize: 0 })).toMatchObject({
      code: 'CONFIG_INVALID',
      field: 'batchSize',
      message: 'invalid configuration: batchSize must be a whole number ≥ 1, got 0',
    });
    expect(configErrorOf({ ...options, concurrency: 1.5 })).toMatchObject({ field: 'concurrency' });
    expect(configErrorOf({ ...options, flushInterval: 'soon' })).toMatchObject({ field: 'flushInterval' });
    expect(configErrorOf({ ...options, timeout: 0 })).toMatchObject({ field: 'timeout' });
    expect(configErrorOf({ ...options, retry: { maxDelay: '1ms' } })).toMatchObject({
      field: 'retry.maxDelay',
    });
    expect(configErrorOf({ ...options, point: { measurement: 'm', fields: {} } })).toMatchObject({
      field: 'point.fields',
    });
    expect(configErrorOf({ ...options, connection: { ...connection, bucket: '' } })).toMatchObject({
      field: 'connection.bucket',
    });
  });

  it('reads what the connection leaves out from the environment', () => {
    vi.stubEnv('INFLUX_URL', '');
    expect(configErrorOf({ ...options, connection: { token: TOKEN, org: 'o', bucket: 'b' } })).toMatchObject({
      field: 'connection.url',
      message: 'invalid configuration: connection.url is required: give connection.url or set INFLUX_URL',
    });
    vi.stubEnv('INFLUX_URL', 'http://127.0.0.1:9');
    vi.stubEnv('INFLUX_TOKEN', TOKEN);
    vi.stubEnv('INFLUX_TOKEN_FILE', '');
    vi.stubEnv('INFLUX_ORG', 'o');
    vi.stubEnv('INFLUX_BUCKET', 'b');
    const sink = influxSink<string, Reading>({ point: options.point });
    expect(sink.name).toBe('influxdb');
    void sink.close();
  });

  it('never shows the token: not in errors, not when the sink is inspected', async () => {
    const sink = influxSink({ ...options, name: 'readings' });
    expect(inspect(sink, { depth: Infinity, showHidden: true })).not.toContain(TOKEN);
    expect(JSON.stringify(sink.stats())).not.toContain(TOKEN);
    const error = configErrorOf({ ...options, connection: { ...connection, token: `${TOKEN}\n extra` } });
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    await sink.close();
  });
});

describe('influxSink dead letters', () => {
  it('sends a record that cannot be a point to the dead letters, with its reason, at once', async () => {
    const dead: StreamRecord<string, RejectedPoint<Reading>>[] = [];
    let flushes = 0;
    const deadLetters: Sink<string, RejectedPoint<Reading>> = {
      name: 'dead-letters',
      write: (records) => void dead.push(...records),
      flush: async () => void flushes++,
    };
    const sink = influxSink({ ...options, deadLetters });
    const origin = { topic: 'readings', partition: 1, offset: '7' };
    sink.write([record('roof', { v: Number.POSITIVE_INFINITY }, 5_000, { source: 'test' }, origin)]);
    expect(dead).toEqual([
      {
        key: 'roof',
        value: {
          value: { v: Number.POSITIVE_INFINITY },
          error: {
            _tag: 'TributaryError',
            code: 'POINT_INVALID',
            message:
              'the record cannot be an InfluxDB point: field v is Infinity, which InfluxDB cannot store',
            retriable: false,
            origin,
          },
        },
        timestamp: 5_000,
        headers: {
          source: 'test',
          'tributary.error.code': 'POINT_INVALID',
          'tributary.error.message':
            'the record cannot be an InfluxDB point: field v is Infinity, which InfluxDB cannot store',
          'tributary.origin.topic': 'readings',
          'tributary.origin.partition': '1',
          'tributary.origin.offset': '7',
        },
        origin,
      },
    ]);
    expect(sink.backlog()).toBe(0);
    expect(sink.stats()).toMatchObject({ rejected: 1, written: 0, pending: 0 });
    // The dead letters are flushed with the sink, so a checkpoint commits nothing past them.
    await sink.flush();
    expect(flushes).toBe(1);
    await sink.close();
  });

  it('keeps dead letters that the output does not take, and fails flushes until it does', async () => {
    const taken: StreamRecord<string, RejectedPoint<Reading>>[] = [];
    let broken = true;
    const deadLetters: Sink<string, RejectedPoint<Reading>> = {
      name: 'flaky',
      write: (records) => {
        if (broken) throw new Error('producer not connected');
        taken.push(...records);
      },
      flush: async () => undefined,
    };
    const sink = influxSink({ ...options, deadLetters });
    sink.write([record('roof', { v: Number.NaN }, 1)]);
    expect(sink.backlog()).toBe(1);
    await expect(sink.flush()).rejects.toMatchObject({
      code: 'SINK_FAILED',
      message: 'the dead-letter output flaky did not take 1 point(s): producer not connected',
    });
    broken = false;
    await sink.flush();
    expect(taken.map((r) => r.value.error.code)).toEqual(['POINT_INVALID']);
    expect(sink.backlog()).toBe(0);
    await sink.close();
  });

  it('without a dead-letter output, logs them as an error', async () => {
    const errors: { fields: object; message: string }[] = [];
    const logger = {
      warn: () => undefined,
      error: (fields: object, message: string) => errors.push({ fields, message }),
    };
    const sink = influxSink({ ...options, logger });
    sink.write([record('roof', { v: Number.NaN }, 1), record('roof', { v: Number.NaN }, 2)]);
    expect(errors).toEqual([
      {
        message: '2 point(s) InfluxDB will not store, and no deadLetters output: they are dropped',
        fields: {
          sink: 'influxdb',
          points: 2,
          error: 'the record cannot be an InfluxDB point: field v is NaN, which InfluxDB cannot store',
          line: undefined,
        },
      },
    ]);
    await sink.close();
  });
});
