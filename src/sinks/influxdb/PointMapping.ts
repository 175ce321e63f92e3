import { configError, raise, type TributaryError } from '../../core/errors.js';
import type { StreamRecord } from '../../core/StreamRecord.js';
import { escapeKey, escapeMeasurement, quoteString, unwritableName } from './lineProtocol.js';

/** The unit of the timestamps InfluxDB stores; selectors always return milliseconds since the epoch. */
export type Precision = 'ns' | 'us' | 'ms' | 's';

/**
 * A field's value: a `number` is a float, a `bigint` an integer, a `string` a string, a `boolean` a
 * boolean. `null` or `undefined` leaves the field out of that point.
 */
export type FieldValue = number | bigint | string | boolean;

/** A field stored as an integer (`42i`) or an unsigned integer (`42u`) rather than a float. */
export interface TypedField<R> {
  readonly type: 'integer' | 'unsigned';
  readonly value: (record: R) => number | bigint | null | undefined;
}

/** How one field of a point is read from a record: a function, or {@link integerField} / {@link unsignedField}. */
export type FieldSelector<R> = ((record: R) => FieldValue | null | undefined) | TypedField<R>;

/**
 * How a stream's records become InfluxDB points, declared once, typed by the stream's key and value.
 *
 * A point's identity is its measurement, its tags and its timestamp: a record written again (a replay
 * after a crash, an `updates` result that changed) overwrites the fields of the same point and never
 * adds one. So choose tags that name the series (a symbol, a sensor) and a timestamp that names the
 * result (the window), not the time it was computed.
 *
 * @example
 * ```ts
 * import type { WindowResult } from 'tributary';
 * import { integerField, type PointMapping } from 'tributary/influxdb';
 *
 * const averages: PointMapping<string, WindowResult<{ mean: number; trades: number }>> = {
 *   measurement: 'crypto_avg',
 *   tags: { symbol: (r) => r.key },
 *   fields: { average_price: (r) => r.value.value.mean, trades: integerField((r) => r.value.value.trades) },
 *   // timestamp: the window's start, by default, for window results
 * };
 * ```
 */
export interface PointMapping<K, V> {
  /** A fixed name, or one per record. */
  readonly measurement: string | ((record: StreamRecord<K, V>) => string);
  /** Tag values by tag key; an empty, `null` or `undefined` value leaves the tag out of that point. */
  readonly tags?: { readonly [tag: string]: (record: StreamRecord<K, V>) => string | null | undefined };
  /** At least one; a point whose fields are all `null` or `undefined` cannot be written. */
  readonly fields: { readonly [field: string]: FieldSelector<StreamRecord<K, V>> };
  /**
   * The point's time in milliseconds since the epoch (a whole number). Default: the window's start for
   * window results (`value.window.start`), else the record's event time.
   */
  readonly timestamp?: (record: StreamRecord<K, V>) => number;
  /** The precision InfluxDB stores the timestamp in. Default `'ms'`. */
  readonly precision?: Precision;
}

/**
 * Stores a numeric field as an integer: the selector returns a safe integer or a `bigint` in the signed
 * 64-bit range.
 *
 * @example
 * ```ts
 * import { integerField } from 'tributary/influxdb';
 * const trades = integerField((r: { value: { count: number } }) => r.value.count);
 * ```
 */
export const integerField = <R>(value: (record: R) => number | bigint | null | undefined): TypedField<R> => ({
  type: 'integer',
  value,
});

/**
 * Stores a numeric field as an unsigned integer (a safe integer or `bigint`, not negative).
 *
 * @example
 * ```ts
 * import { unsignedField } from 'tributary/influxdb';
 * const volume = unsignedField((r: { value: { volume: bigint } }) => r.value.volume);
 * ```
 */
export const unsignedField = <R>(
  value: (record: R) => number | bigint | null | undefined,
): TypedField<R> => ({
  type: 'unsigned',
  value,
});

/** A record as a line of line protocol, or the reason it cannot be one (`POINT_INVALID`). */
export type EncodePoint<K, V> = (record: StreamRecord<K, V>) => string | TributaryError;

const PRECISIONS: readonly Precision[] = ['ns', 'us', 'ms', 's'];
/** Tag keys InfluxDB refuses (`time`) or keeps for itself (`_measurement`, `_field`). */
const RESERVED_TAGS = new Set(['time', '_measurement', '_field']);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Thrown inside the encoder for a record that cannot be a point; caught and returned as a value. */
class Invalid {
  constructor(readonly message: string) {}
}

type Encoder = (record: StreamRecord<unknown, unknown>) => string;

const fieldEncoder = (name: string, selector: FieldSelector<StreamRecord<unknown, unknown>>): Encoder => {
  if (typeof selector === 'function') {
    return (r) => {
      const v = selector(r);
      switch (typeof v) {
        case 'number':
          if (!Number.isFinite(v)) throw new Invalid(`field ${name} is ${v}, which InfluxDB cannot store`);
          return Object.is(v, -0) ? '0' : String(v);
        case 'bigint':
          if (v < INT64_MIN || v > INT64_MAX) throw new Invalid(`field ${name} (${v}) is outside 64 bits`);
          return `${v}i`;
        case 'string':
          return quoteString(v);
        case 'boolean':
          return v ? 'true' : 'false';
        default:
          if (v === null || v === undefined) return '';
          throw new Invalid(`field ${name} is a ${typeof v}, not a number, bigint, string or boolean`);
      }
    };
  }
  const unsigned = selector.type === 'unsigned';
  return (r) => {
    const v = selector.value(r);
    if (v === null || v === undefined) return '';
    const whole =
      typeof v === 'bigint'
        ? unsigned
          ? v >= 0n && v <= UINT64_MAX
          : v >= INT64_MIN && v <= INT64_MAX
        : typeof v === 'number' && Number.isSafeInteger(v) && (!unsigned || v >= 0);
    if (!whole) {
      throw new Invalid(
        `field ${name} must be ${unsigned ? 'a whole number ≥ 0' : 'a whole number'} (safe integer or bigint), got ${String(v)}`,
      );
    }
    return `${v}${unsigned ? 'u' : 'i'}`;
  };
};

const windowStart = (value: unknown): number | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const window = (value as { window?: { start?: unknown } }).window;
  return typeof window === 'object' && window !== null && typeof window.start === 'number'
    ? window.start
    : undefined;
};

const timestampEncoder = (
  precision: Precision,
  selector: ((record: StreamRecord<unknown, unknown>) => number) | undefined,
): Encoder => {
  const scale = precision === 'ns' ? '000000' : precision === 'us' ? '000' : '';
  return (r) => {
    const ms = selector ? selector(r) : (windowStart(r.value) ?? r.timestamp);
    if (typeof ms !== 'number' || !Number.isSafeInteger(ms)) {
      throw new Invalid(`the timestamp must be a whole number of milliseconds, got ${String(ms)}`);
    }
    if (precision === 's') {
      if (ms % 1_000 !== 0) {
        throw new Invalid(`the timestamp ${ms} ms is not a whole second, as precision 's' needs`);
      }
      return String(ms / 1_000);
    }
    return ms === 0 ? '0' : `${ms}${scale}`;
  };
};

/**
 * Checks a mapping (throwing a `CONFIG_INVALID` `TributaryException` that names the field, e.g.
 * `point.tags.time`) and compiles it into a function from records to lines.
 */
export const compilePointMapping = <K, V>(
  mapping: PointMapping<K, V>,
  field = 'point',
): EncodePoint<K, V> => {
  if (typeof mapping !== 'object' || mapping === null) raise(configError(field, 'must be a point mapping'));
  const precision = mapping.precision ?? 'ms';
  if (!PRECISIONS.includes(precision)) {
    raise(
      configError(`${field}.precision`, `must be one of ${PRECISIONS.join(', ')}, got ${String(precision)}`),
    );
  }
  if (mapping.timestamp !== undefined && typeof mapping.timestamp !== 'function') {
    raise(configError(`${field}.timestamp`, 'must be a function of the record'));
  }

  const { measurement } = mapping;
  let fixedMeasurement: string | undefined;
  if (typeof measurement === 'string') {
    fixedMeasurement = escapeMeasurement(measurement);
    if (fixedMeasurement === undefined)
      raise(configError(`${field}.measurement`, unwritableName('measurement', measurement)));
  } else if (typeof measurement !== 'function') {
    raise(configError(`${field}.measurement`, 'must be a name or a function of the record'));
  }

  const tags = Object.entries(mapping.tags ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) // InfluxDB's own order: less work for the server
    .map(([key, select]) => {
      const escaped = escapeKey(key);
      if (escaped === undefined) raise(configError(`${field}.tags`, unwritableName('tag key', key)));
      if (RESERVED_TAGS.has(key))
        raise(configError(`${field}.tags.${key}`, 'is a tag key InfluxDB reserves'));
      if (typeof select !== 'function')
        raise(configError(`${field}.tags.${key}`, 'must be a function of the record'));
      return {
        key,
        prefix: `,${escaped}=`,
        select: select as (r: StreamRecord<unknown, unknown>) => unknown,
      };
    });

  const fieldEntries = Object.entries(mapping.fields ?? {});
  if (fieldEntries.length === 0) raise(configError(`${field}.fields`, 'must name at least one field'));
  const fields = fieldEntries.map(([key, selector]) => {
    const escaped = escapeKey(key);
    if (escaped === undefined) raise(configError(`${field}.fields`, unwritableName('field key', key)));
    if (key === 'time') raise(configError(`${field}.fields.time`, 'is a field key InfluxDB refuses'));
    const valid =
      typeof selector === 'function' ||
      (typeof selector === 'object' &&
        selector !== null &&
        (selector.type === 'integer' || selector.type === 'unsigned') &&
        typeof selector.value === 'function');
    if (!valid) {
      raise(
        configError(
          `${field}.fields.${key}`,
          'must be a function of the record, integerField or unsignedField',
        ),
      );
    }
    return {
      prefix: `${escaped}=`,
      encode: fieldEncoder(key, selector as FieldSelector<StreamRecord<unknown, unknown>>),
    };
  });
  const time = timestampEncoder(
    precision,
    mapping.timestamp as ((r: StreamRecord<unknown, unknown>) => number) | undefined,
  );

  const encode = (r: StreamRecord<unknown, unknown>): string => {
    let line: string;
    if (fixedMeasurement !== undefined) {
      line = fixedMeasurement;
    } else {
      const name = (measurement as (r: StreamRecord<unknown, unknown>) => unknown)(r);
      if (typeof name !== 'string') throw new Invalid(`the measurement must be a string, got ${typeof name}`);
      const escaped = escapeMeasurement(name);
      if (escaped === undefined) throw new Invalid(unwritableName('measurement', name));
      line = escaped;
    }
    for (const tag of tags) {
      const value = tag.select(r);
      if (value === null || value === undefined || value === '') continue;
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new Invalid(`tag ${tag.key} is a ${typeof value}, not a string`);
      }
      const text = String(value);
      const escaped = escapeKey(text);
      if (escaped === undefined) throw new Invalid(unwritableName(`value of tag ${tag.key}`, text));
      line += tag.prefix + escaped;
    }
    let values = '';
    for (const f of fields) {
      const value = f.encode(r);
      if (value === '') continue;
      values += values === '' ? f.prefix + value : `,${f.prefix}${value}`;
    }
    if (values === '') throw new Invalid('every field is null or undefined: a point needs at least one');
    return `${line} ${values} ${time(r)}`;
  };

  return ((r: StreamRecord<unknown, unknown>): string | TributaryError => {
    try {
      return encode(r);
    } catch (error) {
      return pointInvalid(r, error);
    }
  }) as EncodePoint<K, V>;
};

const pointInvalid = (r: StreamRecord<unknown, unknown>, error: unknown): TributaryError => {
  const reason =
    error instanceof Invalid
      ? error.message
      : `a selector threw: ${error instanceof Error ? error.message : String(error)}`;
  return {
    _tag: 'TributaryError',
    code: 'POINT_INVALID',
    message: `the record cannot be an InfluxDB point: ${reason}`,
    retriable: false,
    ...(r.origin ? { origin: r.origin } : {}),
    ...(error instanceof Invalid ? {} : { cause: error }),
  };
};
