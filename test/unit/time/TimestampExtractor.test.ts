import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { fromField, kafkaTimestamp } from '../../../src/index.js';

interface Trade {
  readonly T?: unknown;
}

const invalid = expect.objectContaining({ code: 'TIMESTAMP_INVALID', retriable: false });

describe('kafkaTimestamp', () => {
  const extract = kafkaTimestamp<Trade>();

  it('takes the log timestamp', () => {
    expect(extract({ T: 5 }, 1_723_161_600_000)).toEqual(E.right(1_723_161_600_000));
    expect(extract({}, 0)).toEqual(E.right(0));
  });

  it.each([NaN, Infinity, -Infinity, -1])('rejects the log timestamp %d as TIMESTAMP_INVALID', (t) => {
    expect(extract({}, t)).toEqual(E.left(invalid));
  });
});

describe('fromField', () => {
  const tradeTime = fromField((trade: Trade) => trade.T);

  it('takes the event time from the value, not the log', () => {
    expect(tradeTime({ T: 1_723_161_600_123 }, 99)).toEqual(E.right(1_723_161_600_123));
  });

  it.each([
    ['missing', {}],
    ['null', { T: null }],
    ['NaN', { T: NaN }],
    ['infinite', { T: Infinity }],
    ['negative', { T: -1 }],
    ['a numeric string', { T: '1723161600000' }],
    ['a Date', { T: new Date(0) }],
  ])('rejects a %s time as TIMESTAMP_INVALID', (_what, value) => {
    const result = tradeTime(value, 1_000);
    expect(result).toEqual(E.left(invalid));
  });

  it('names the bad time in the message', () => {
    const result = tradeTime({ T: 'yesterday' }, 1_000);
    expect(E.isLeft(result) && result.left.message).toContain('yesterday');
  });

  it('turns a selector that throws into a failure value with the cause', () => {
    const boom = new TypeError('no such field');
    const throwing = fromField<Trade>(() => {
      throw boom;
    });
    expect(throwing({}, 1_000)).toEqual(
      E.left(expect.objectContaining({ code: 'TIMESTAMP_INVALID', cause: boom })),
    );
  });
});
