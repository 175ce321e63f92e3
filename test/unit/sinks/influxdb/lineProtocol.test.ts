import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeKey,
  escapeMeasurement,
  lineParts,
  quoteString,
  unwritableName,
} from '../../../../src/sinks/influxdb/lineProtocol.js';

/**
 * How InfluxDB reads a name back (models/points.go): the scanner takes a backslash and the character
 * after it as a pair, the name ends at the first unpaired separator, and unescaping replaces `\,`, `\ `
 * (and `\=` for tags and field keys) by the character, leaving any other backslash as it is.
 */
const influxReads = (written: string, separators: string): string => {
  let i = 0;
  while (i < written.length && !separators.includes(written[i]!)) i += written[i] === '\\' ? 2 : 1;
  let name = written.slice(0, i);
  for (const c of separators === ', ' ? [',', ' '] : [',', ' ', '=']) name = name.replaceAll(`\\${c}`, c);
  return name;
};

/** Strings rich in the characters that matter. */
const nasty = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', ' ', ',', '=', '"', '\\', '#', '\t', 'é', '€', '\n'),
  maxLength: 12,
});

describe('line protocol escaping', () => {
  it('leaves plain names as they are', () => {
    expect(escapeMeasurement('crypto_avg')).toBe('crypto_avg');
    expect(escapeKey('BTCUSDT')).toBe('BTCUSDT');
  });

  it('escapes what each part needs', () => {
    expect(escapeMeasurement('cpu load,total=x')).toBe('cpu\\ load\\,total=x');
    expect(escapeKey('a b,c=d')).toBe('a\\ b\\,c\\=d');
    expect(quoteString('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"');
    expect(quoteString('two\nlines')).toBe('"two\nlines"');
  });

  it('refuses names that no escaping carries exactly', () => {
    expect(escapeKey('')).toBeUndefined();
    expect(escapeKey('line\nbreak')).toBeUndefined();
    expect(escapeKey('carriage\rreturn')).toBeUndefined();
    expect(escapeKey('ends\\')).toBeUndefined();
    expect(escapeKey('a\\,b')).toBeUndefined();
    expect(escapeMeasurement('#comment')).toBeUndefined();
    expect(escapeMeasurement('a\\ b')).toBeUndefined();
    // A backslash before an ordinary character is an ordinary character.
    expect(escapeKey('C:\\temp')).toBe('C:\\temp');
    expect(escapeMeasurement('a=b\\=c')).toBe('a=b\\=c');
  });

  it('says why a name was refused', () => {
    expect(unwritableName('measurement', '#x')).toBe(
      `the measurement "#x" starts with '#', which makes the line a comment`,
    );
    expect(unwritableName('tag key', 'a\nb')).toBe(
      'the tag key "a\\nb" contains a line break, which line protocol cannot carry',
    );
    expect(unwritableName('value of tag symbol', 'x\\')).toBe(
      'the value of tag symbol "x\\\\" has a backslash at its end or before a character that must be escaped',
    );
    expect(unwritableName('field key', '')).toBe('the field key is empty');
  });

  it('InfluxDB reads back exactly the tag or field key that was escaped', () => {
    fc.assert(
      fc.property(nasty, (name) => {
        const escaped = escapeKey(name);
        if (escaped === undefined) return;
        expect(influxReads(`${escaped},next=1`, ', =')).toBe(name);
        expect(influxReads(`${escaped} f=1`, ', =')).toBe(name);
      }),
    );
  });

  it('InfluxDB reads back exactly the measurement that was escaped', () => {
    fc.assert(
      fc.property(nasty, (name) => {
        const escaped = escapeMeasurement(name);
        if (escaped === undefined) return;
        expect(escaped.startsWith('#')).toBe(false);
        expect(influxReads(`${escaped},t=1 f=1`, ', ')).toBe(name);
      }),
    );
  });

  it('refuses only names with line breaks, a trailing backslash or one before a separator', () => {
    fc.assert(
      fc.property(nasty, (name) => {
        const cannot = name === '' || /[\n\r]/.test(name) || /\\([, =]|$)/.test(name);
        expect(escapeKey(name) === undefined).toBe(cannot);
      }),
    );
  });
});

describe('lineParts', () => {
  it('reads the measurement and each field with its type', () => {
    const parts = lineParts(
      'cpu\\ load,host=a\\ b,x\\=y=z f=1.5,n=3i,u=4u,ok=true,s="a \\"q\\", b=1",e\\,k=1e+21 1000',
    );
    expect(parts?.measurement).toBe('cpu load');
    expect([...(parts?.fields ?? [])]).toEqual([
      ['f', 'float'],
      ['n', 'integer'],
      ['u', 'unsigned'],
      ['ok', 'boolean'],
      ['s', 'string'],
      ['e,k', 'float'],
    ]);
  });

  it('reads lines without tags and string fields with line breaks', () => {
    expect([...(lineParts('m s="a\nb" 1')?.fields ?? [])]).toEqual([['s', 'string']]);
    expect(lineParts('m')).toBeUndefined();
  });
});
