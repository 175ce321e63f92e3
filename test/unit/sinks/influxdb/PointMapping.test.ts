import { describe, expect, it } from 'vitest';
import { TributaryException, type TributaryError } from '../../../../src/core/errors.js';
import { record, type StreamRecord } from '../../../../src/core/StreamRecord.js';
import type { WindowResult } from '../../../../src/windows/WindowResult.js';
import {
  compilePointMapping,
  integerField,
  unsignedField,
  type PointMapping,
} from '../../../../src/sinks/influxdb/PointMapping.js';

type Average = WindowResult<number, 'final'>;
const average = (symbol: string, start: number, value: number): StreamRecord<string, Average> =>
  record(symbol, { emit: 'final', window: { start, end: start + 30_000 }, value }, start + 29_999);

const averages: PointMapping<string, Average> = {
  measurement: 'crypto_avg',
  tags: { symbol: (r) => r.key },
  fields: { average_price: (r) => r.value.value },
};

/** The configuration error a mapping throws. */
const configErrorOf = (mapping: unknown): TributaryError => {
  try {
    compilePointMapping(mapping as PointMapping<unknown, unknown>);
  } catch (error) {
    if (error instanceof TributaryException) return error.error;
    throw error;
  }
  throw new Error('expected a configuration error');
};

describe('compilePointMapping', () => {
  it("writes a window result at its window's start, in ms", () => {
    const encode = compilePointMapping(averages);
    expect(encode(average('BTCUSDT', 1_723_161_600_000, 61_685.99))).toBe(
      'crypto_avg,symbol=BTCUSDT average_price=61685.99 1723161600000',
    );
  });

  it("writes other records at their event time, or at the mapping's timestamp", () => {
    const plain = compilePointMapping<string, number>({ measurement: 'm', fields: { v: (r) => r.value } });
    expect(plain(record('k', 2, 1_000))).toBe('m v=2 1000');
    const own = compilePointMapping<string, { t: number }>({
      measurement: 'm',
      fields: { one: () => 1 },
      timestamp: (r) => r.value.t,
    });
    expect(own(record('k', { t: 42 }, 1_000))).toBe('m one=1 42');
  });

  it('converts milliseconds to the precision, exactly', () => {
    const at = (precision: 'ns' | 'us' | 'ms' | 's', ms: number) =>
      compilePointMapping<null, number>({ measurement: 'm', fields: { v: () => 1 }, precision })(
        record(null, 0, ms),
      );
    expect(at('ns', 1_723_161_600_123)).toBe('m v=1 1723161600123000000');
    expect(at('us', 1_723_161_600_123)).toBe('m v=1 1723161600123000');
    expect(at('s', 1_723_161_600_000)).toBe('m v=1 1723161600');
    expect(at('ns', 0)).toBe('m v=1 0');
    expect(at('s', 1_500)).toMatchObject({
      code: 'POINT_INVALID',
      message:
        "the record cannot be an InfluxDB point: the timestamp 1500 ms is not a whole second, as precision 's' needs",
    });
  });

  it('types fields: float, integer, unsigned, bigint, string, boolean', () => {
    const encode = compilePointMapping<null, Record<string, unknown>>({
      measurement: 'types',
      fields: {
        f: () => 1,
        big: () => 1e21,
        neg0: () => -0,
        i: integerField(() => -7),
        u: unsignedField(() => 2n ** 64n - 1n),
        b: () => 2n ** 62n,
        s: () => 'He said "hi" \\o/',
        yes: () => true,
        none: () => undefined,
      },
    });
    expect(encode(record(null, {}, 5))).toBe(
      'types f=1,big=1e+21,neg0=0,i=-7i,u=18446744073709551615u,b=4611686018427387904i,s="He said \\"hi\\" \\\\o/",yes=true 5',
    );
  });

  it('sorts tags by key and leaves out empty ones', () => {
    const encode = compilePointMapping<string, { exchange?: string }>({
      measurement: 'm',
      tags: { symbol: (r) => r.key, exchange: (r) => r.value.exchange, a: () => '' },
      fields: { v: () => 1 },
    });
    expect(encode(record('BTC USDT', { exchange: 'binance' }, 1))).toBe(
      'm,exchange=binance,symbol=BTC\\ USDT v=1 1',
    );
    expect(encode(record('ETH', {}, 1))).toBe('m,symbol=ETH v=1 1');
  });

  it('takes the measurement from the record, escaped', () => {
    const encode = compilePointMapping<string, number>({
      measurement: (r) => `avg ${r.key}`,
      fields: { v: (r) => r.value },
    });
    expect(encode(record('1m', 3, 9))).toBe('avg\\ 1m v=3 9');
  });

  it('returns POINT_INVALID, with the origin, for a record that cannot be a point', () => {
    const origin = { topic: 'averages', partition: 2, offset: '17' };
    const encode = compilePointMapping<string, number | string | null>({
      measurement: 'm',
      tags: { symbol: (r) => r.key },
      fields: { v: (r) => r.value, n: integerField((r) => (typeof r.value === 'number' ? r.value : null)) },
    });
    const invalid = (value: number | string | null, key = 'k') => encode(record(key, value, 1, {}, origin));
    expect(invalid(Number.NaN)).toEqual({
      _tag: 'TributaryError',
      code: 'POINT_INVALID',
      message: 'the record cannot be an InfluxDB point: field v is NaN, which InfluxDB cannot store',
      retriable: false,
      origin,
    });
    expect(invalid(1.5)).toMatchObject({
      message:
        'the record cannot be an InfluxDB point: field n must be a whole number (safe integer or bigint), got 1.5',
    });
    expect(invalid(null)).toMatchObject({
      message:
        'the record cannot be an InfluxDB point: every field is null or undefined: a point needs at least one',
    });
    expect(invalid(1, 'a\nb')).toMatchObject({
      message:
        'the record cannot be an InfluxDB point: the value of tag symbol "a\\nb" contains a line break, which line protocol cannot carry',
    });
  });

  it('returns a throwing selector as POINT_INVALID with what it threw as the cause', () => {
    const boom = new Error('no price');
    const encode = compilePointMapping<null, number>({
      measurement: 'm',
      fields: {
        v: () => {
          throw boom;
        },
      },
    });
    expect(encode(record(null, 1, 1))).toMatchObject({
      code: 'POINT_INVALID',
      message: 'the record cannot be an InfluxDB point: a selector threw: no price',
      cause: boom,
    });
  });

  it('rejects a bad mapping at once, naming the field', () => {
    const fields = { v: () => 1 };
    expect(configErrorOf({ measurement: 'm', fields: {} })).toMatchObject({
      code: 'CONFIG_INVALID',
      field: 'point.fields',
      message: 'invalid configuration: point.fields must name at least one field',
    });
    expect(configErrorOf({ measurement: '#m', fields })).toMatchObject({ field: 'point.measurement' });
    expect(configErrorOf({ measurement: 3, fields })).toMatchObject({ field: 'point.measurement' });
    expect(configErrorOf({ measurement: 'm', fields: { time: () => 1 } })).toMatchObject({
      field: 'point.fields.time',
    });
    expect(configErrorOf({ measurement: 'm', fields: { v: 'price' } })).toMatchObject({
      field: 'point.fields.v',
    });
    expect(configErrorOf({ measurement: 'm', fields, tags: { _field: () => 'x' } })).toMatchObject({
      field: 'point.tags._field',
      message: 'invalid configuration: point.tags._field is a tag key InfluxDB reserves',
    });
    expect(configErrorOf({ measurement: 'm', fields, precision: 'm' })).toMatchObject({
      field: 'point.precision',
      message: 'invalid configuration: point.precision must be one of ns, us, ms, s, got m',
    });
    expect(configErrorOf({ measurement: 'm', fields, timestamp: 'time' })).toMatchObject({
      field: 'point.timestamp',
    });
    expect(configErrorOf(undefined)).toMatchObject({ field: 'point' });
  });
});
