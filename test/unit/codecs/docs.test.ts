/**
 * The code blocks of docs/codecs.md are the files in `examples/` (type-checked with the project), shown
 * with `'tributary'` in place of the stand-in entry; here each block is checked against its file, and
 * each file is run and its stated results asserted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';

const page = readFileSync(new URL('../../../docs/codecs.md', import.meta.url), 'utf8');
const examplesDir = new URL('./examples/', import.meta.url);
const END_OF_EXAMPLE = '// ---- end of documented example ----';
const PREFIX = '../test/unit/codecs/examples/';

/** The part of an example file that the page shows, importing from the package. */
const shown = (file: string): string => {
  const text = readFileSync(new URL(file, examplesDir), 'utf8');
  const end = text.indexOf(END_OF_EXAMPLE);
  return (end === -1 ? text : text.slice(0, end)).replaceAll("'./tributary.js'", "'tributary'").trimEnd();
};

describe('docs/codecs.md', () => {
  it('shows every example file verbatim', () => {
    const blocks = [...page.matchAll(/<!-- example: (\S+) -->\n```\n([\s\S]*?)\n```/g)];
    const files = readdirSync(examplesDir).filter((f) => f !== 'tributary.ts');
    expect(blocks.map(([, path]) => path).sort()).toEqual(files.map((f) => `${PREFIX}${f}`).sort());
    for (const [, path, code] of blocks) expect(code, path).toBe(shown(path!.slice(PREFIX.length)));
  });

  it('json', async () => {
    const { good, bad, bytes } = await import('./examples/json.js');
    expect(good).toEqual(E.right({ s: 'BTCUSDT', p: 61_685.99, q: 0.00162, T: 1_723_161_600_123 }));
    expect(bad).toEqual(
      E.left({
        _tag: 'TributaryError',
        code: 'DECODE_FAILED',
        reason: 'invalid-value',
        retriable: false,
        serde: 'json(BinanceTrade)',
        origin: { topic: 'binance.trades', partition: 0, offset: '42' },
        paths: ['p: expected NumberFromString, got 61685.99', 'T: expected timestampMs, got undefined'],
        message:
          'json(BinanceTrade) cannot decode binance.trades/0@42: p: expected NumberFromString, got 61685.99; T: expected timestampMs, got undefined',
      }),
    );
    expect(new TextDecoder().decode(bytes)).toBe('{"s":"ETHUSDT","p":"3100.5","q":"2","T":1723161600456}');
  });

  it('string and raw', async () => {
    const { key, tombstone, notText, passed, payload } = await import('./examples/text.js');
    expect(key).toEqual(E.right('BTCUSDT'));
    expect(tombstone).toEqual(
      E.left(
        expect.objectContaining({
          code: 'DECODE_FAILED',
          reason: 'null',
          message: 'string cannot decode prices/1@7: the value is null',
        }),
      ),
    );
    expect(notText).toEqual(
      E.left(expect.objectContaining({ code: 'DECODE_FAILED', reason: 'invalid-utf8' })),
    );
    expect(E.isRight(passed) && passed.right).toBe(payload);
  });

  it('a serde of your own', async () => {
    const { count, short } = await import('./examples/customSerde.js');
    expect(count).toEqual(E.right(70_000));
    expect(short).toEqual(
      E.left(
        expect.objectContaining({ reason: 'invalid-value', paths: ['(root): expected 4 bytes, got 2'] }),
      ),
    );
  });

  it('dead-letter headers', async () => {
    const { headers } = await import('./examples/deadLetter.js');
    expect(headers).toEqual({
      'tributary.error.code': 'DECODE_FAILED',
      'tributary.error.message':
        'json(Trade) cannot decode binance.trades/3@1042: p: expected string, got 42; T: expected number, got undefined',
      'tributary.error.paths': 'p: expected string, got 42\nT: expected number, got undefined',
      'tributary.origin.topic': 'binance.trades',
      'tributary.origin.partition': '3',
      'tributary.origin.offset': '1042',
    });
  });
});
