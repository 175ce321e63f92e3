import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { operatorFailed } from '../../../src/core/errors.js';
import { deadLetterHeaders } from '../../../src/codecs/deadLetterHeaders.js';
import { decodeFailure } from '../../../src/codecs/DecodeFailure.js';
import { json } from '../../../src/codecs/json.js';

describe('deadLetterHeaders', () => {
  it('names the error, its paths and the origin of a record that failed to decode', () => {
    const Trade = t.type({ p: t.string, T: t.number }, 'Trade');
    const result = json(Trade).deserialize(new TextEncoder().encode('{"p":42}'), {
      topic: 'binance.trades',
      partition: 3,
      offset: '1042',
    });
    if (E.isRight(result)) throw new Error('expected a failure');
    expect(deadLetterHeaders(result.left)).toEqual({
      'tributary.error.code': 'DECODE_FAILED',
      'tributary.error.message':
        'json(Trade) cannot decode binance.trades/3@1042: p: expected string, got 42; T: expected number, got undefined',
      'tributary.error.paths': 'p: expected string, got 42\nT: expected number, got undefined',
      'tributary.origin.topic': 'binance.trades',
      'tributary.origin.partition': '3',
      'tributary.origin.offset': '1042',
    });
  });

  it('leaves out what is not known', () => {
    expect(deadLetterHeaders(decodeFailure('json(Trade)', 'null'))).toEqual({
      'tributary.error.code': 'DECODE_FAILED',
      'tributary.error.message': 'json(Trade) cannot decode a value: the value is null',
    });
  });

  it('takes any TributaryError', () => {
    const error = operatorFailed('map', new Error('boom'), { topic: 'in', partition: 0, offset: '7' });
    expect(deadLetterHeaders(error)).toEqual({
      'tributary.error.code': 'OPERATOR_FAILED',
      'tributary.error.message': 'operator map failed on in/0@7: boom',
      'tributary.origin.topic': 'in',
      'tributary.origin.partition': '0',
      'tributary.origin.offset': '7',
    });
  });

  it('has only string values, as Kafka headers need', () => {
    const failure = decodeFailure('raw', 'null', {
      origin: { topic: 't', partition: 12, offset: '9007199254740993' },
    });
    const headers = deadLetterHeaders(failure);
    expect(Object.values(headers).every((v) => typeof v === 'string')).toBe(true);
    expect(headers['tributary.origin.offset']).toBe('9007199254740993');
  });
});
