/**
 * Every code block in the documentation is an example file under `docs/examples/`, compiled by the
 * project's `tsc` and run here: the blocks must match their files, and the outputs the docs state are
 * asserted below.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { format } from 'node:util';
import { describe, expect, it, vi } from 'vitest';

const docsDir = new URL('./', import.meta.url);
const END_OF_EXAMPLE = '// ---- end of documented example ----';

/** The part of an example file that the docs show, with the imports a user of the package writes. */
const shown = (file: string): string => {
  const text = readFileSync(new URL(file, docsDir), 'utf8');
  const end = text.indexOf(END_OF_EXAMPLE);
  return (end === -1 ? text : text.slice(0, end))
    .replaceAll("'../../src/index.js'", "'tributary'")
    .replaceAll("'../../src/testing/index.js'", "'tributary/testing'")
    .trimEnd();
};

/** Runs an example module and returns what it printed with `console.log`. */
const printed = async (load: () => Promise<unknown>): Promise<string[]> => {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(format(...args));
  });
  try {
    await load();
  } finally {
    spy.mockRestore();
  }
  return lines;
};

describe('documentation code blocks', () => {
  const pages = readdirSync(docsDir).filter((f) => f.endsWith('.md'));
  const referenced = new Set<string>();

  for (const page of pages) {
    it(`${page}: every block is an example file, verbatim`, () => {
      const markdown = readFileSync(new URL(page, docsDir), 'utf8');
      const fences = [...markdown.matchAll(/^```ts\n/gm)].length;
      const blocks = [...markdown.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)\n```/g)];
      expect(blocks.length, 'a ```ts block without an example marker').toBe(fences);
      for (const [, file, code] of blocks) {
        referenced.add(file!);
        expect(code, file).toBe(shown(file!));
      }
    });
  }

  it('every example file appears in the docs', () => {
    const files = readdirSync(new URL('examples/', docsDir)).map((f) => `examples/${f}`);
    expect(files.filter((f) => !referenced.has(f))).toEqual([]);
  });
});

describe('concepts', () => {
  it('records', async () => {
    const { partitions, trade, fromLog } = await import('./examples/records.js');
    expect(partitions).toEqual([0, 3]);
    expect(trade).toEqual({
      key: 'BTCUSDT',
      value: 64_000.5,
      timestamp: Date.UTC(2024, 7, 9),
      headers: { source: 'binance' },
    });
    expect(fromLog.origin).toEqual({ topic: 'trades', partition: 3, offset: '1042' });
  });

  it('operators', async () => {
    const { lines } = await import('./examples/operators.js');
    expect(lines).toEqual(['roof: 4 °C', 'roof: frost: -1 °C', 'roof: 5 °C']);
  });

  it('running a stream by hand', async () => {
    const lines = await printed(() => import('./examples/running.js'));
    expect(lines).toEqual([
      '1: source\n2: tumbling-window <- 1',
      "[ 'W(4000)', 'a=2', 'W(12000)' ]",
      "[ 'b=1', 'W(Infinity)' ]",
    ]);
  });

  it('timestamp extractors', async () => {
    const { ok, bad, logTime, toRecord } = await import('./examples/timestamps.js');
    expect(ok).toEqual({ _tag: 'Right', right: 1_723_161_600_000 });
    expect(bad).toMatchObject({ _tag: 'Left', left: { _tag: 'TributaryError', code: 'TIMESTAMP_INVALID' } });
    expect(logTime).toEqual({ _tag: 'Right', right: 1_723_161_600_123 });
    const trade = { s: 'ETHUSDT', p: 3_100, T: 5_000 };
    expect(toRecord(trade, 0)).toEqual({
      _tag: 'Right',
      right: { key: 'ETHUSDT', value: trade, timestamp: 5_000, headers: {} },
    });
  });

  it('an invalid timestamp is diverted', async () => {
    const { values, invalid } = await import('./examples/invalidTimestamp.js');
    expect(values).toEqual([2]);
    expect(invalid?.reason).toBe('invalid');
    expect(invalid?.operator).toBe('withWatermarks');
    expect(invalid?.error).toMatchObject({
      code: 'TIMESTAMP_INVALID',
      origin: { topic: 'input', partition: 0, offset: '0' },
    });
  });

  it('watermarks over two partitions', async () => {
    const { marks } = await import('./examples/watermarks.js');
    expect(marks).toEqual([1_000, 3_000, 5_000, 8_000]);
  });

  it('the watermark tracker', async () => {
    const { w1, w2, w3, w4 } = await import('./examples/watermarkTracker.js');
    expect([w1, w2, w3, w4]).toEqual([-Infinity, 8_000, 10_000, 38_000]);
  });

  it('durations', async () => {
    const d = await import('./examples/durations.js');
    expect([d.half, d.ninety, d.fractional, d.plain, d.text]).toEqual([500, 90_000, 1_500, 250, '1h30m']);
    expect(d.wrong).toMatchObject({ _tag: 'Left', left: { code: 'CONFIG_INVALID', field: 'window.size' } });
  });
});

describe('windows', () => {
  it('tumbling', async () => {
    const { lines } = await import('./examples/tumbling.js');
    expect(lines).toEqual(['home [0, 10000) 2', 'cart [0, 10000) 1', 'home [10000, 20000) 1']);
  });

  it('hopping', async () => {
    const { lines } = await import('./examples/hopping.js');
    expect(lines).toEqual(['[0, 10000) 7', '[4000, 14000) 14', '[8000, 18000) 12', '[12000, 22000) 8']);
  });

  it('sliding: the Kafka Streams SlidingWindows javadoc example', async () => {
    const { windows } = await import('./examples/sliding.js');
    expect(windows).toEqual([
      [3_000, 8_001, 1],
      [4_200, 9_201, 2],
      [7_400, 12_401, 3],
      [8_001, 13_002, 2],
      [9_201, 14_202, 1],
    ]);
  });

  it('sliding: the order of updates', async () => {
    const { afterA, afterB, afterC, driver } = await import('./examples/slidingUpdates.js');
    expect(afterA).toEqual(['[3000, 8001) 1']);
    expect(afterB).toEqual(['[8001, 13002) 1', '[4200, 9201) 2']);
    expect(afterC).toEqual(['[8001, 13002) 2', '[9201, 14202) 1', '[7400, 12401) 3']);
    driver.end();
    expect(driver.values()).toHaveLength(6);
  });

  it('session', async () => {
    const { lines } = await import('./examples/session.js');
    expect(lines).toEqual(['[1000, 12001) home search cart pay', '[30000, 30001) home']);
  });

  it('aggregators', async () => {
    const { result } = await import('./examples/aggregators.js');
    expect(result).toEqual({
      candle: { open: 100, high: 110, low: 90, close: 110, volume: 5, trades: 3 },
      vwap: 104,
      largest: 3,
    });
  });

  it('emit mode updates', async () => {
    const { updates } = await import('./examples/emitModes.js');
    expect(updates).toEqual([
      { emit: 'updates', window: { start: 0, end: 10_000 }, value: 1 },
      { emit: 'updates', window: { start: 0, end: 10_000 }, value: 3 },
      { emit: 'updates', window: { start: 10_000, end: 20_000 }, value: 4 },
    ]);
  });

  it('late records', async () => {
    const { counts, late, diverted } = await import('./examples/late.js');
    expect(counts).toEqual([2]);
    expect(late).toEqual([8_000]);
    expect(diverted?.reason).toBe('late');
    expect(diverted?.operator).toBe('clicks-10s');
    expect(diverted?.error).toEqual({
      _tag: 'TributaryError',
      code: 'RECORD_LATE',
      retriable: false,
      message: 'record at 8000 is late: every tumbling window containing it closed (watermark 13000)',
      origin: { topic: 'input', partition: 0, offset: '4' },
    });
  });

  it('a partly-late sliding record counts in windows created after it', async () => {
    const { lines } = await import('./examples/partlyLate.js');
    expect(lines).toEqual(['b [5000, 10001) 10000', 'a [7000, 12001) 9000 12000', 'a [9001, 14002) 12000']);
  });
});

describe('testing', () => {
  it('the virtual clock: future guard, idleness and idle close', async () => {
    const { reasons, duringBacklog, marks, closed } = await import('./examples/clock.js');
    expect(reasons).toEqual(['future']);
    expect(duringBacklog).toBe(0);
    expect(marks).toEqual([1_000, 21_000]);
    expect(closed).toEqual([{ start: 0, end: 10_000 }]);
  });
});

describe('errors', () => {
  it('Either and exception forms of a configuration error', async () => {
    const { message, error } = await import('./examples/errors.js');
    expect(message).toBe(
      "invalid configuration: app.window must be a duration like '500ms', '30s', '1m', '1h', '1d' or milliseconds, got '90 seconds'",
    );
    expect(error).toEqual({
      _tag: 'TributaryError',
      code: 'CONFIG_INVALID',
      message: 'invalid configuration: hopping.advance must not exceed the size (30000 ms), got 60000 ms',
      retriable: false,
      field: 'hopping.advance',
    });
  });

  it('describing a diverted record', async () => {
    const { describeDiverted } = await import('./examples/diverted.js');
    const { diverted } = await import('./examples/late.js');
    expect(describeDiverted(diverted!)).toBe(
      'clicks-10s: late record (event time 8000) at input/0@4: record at 8000 is late: every tumbling window containing it closed (watermark 13000)',
    );
  });
});

describe('README', () => {
  it('quick start', async () => {
    const lines = await printed(() => import('./examples/quickstart.js'));
    expect(lines).toEqual([
      'BTCUSDT { start: 0, end: 10000 } 64050',
      'ETHUSDT { start: 0, end: 10000 } 3100',
      'BTCUSDT { start: 5000, end: 15000 } 64200',
      'BTCUSDT { start: 10000, end: 20000 } 64300',
    ]);
  });
});
