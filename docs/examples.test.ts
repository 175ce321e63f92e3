/**
 * Every code block in the documentation is an example file under `docs/examples/`, compiled by the
 * project's `tsc` and run here: the blocks must match their files, and the outputs the docs state are
 * asserted below. An example may instead be shown in a doc comment of the declaration it is named after
 * (`docComments.test.ts` checks those).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { declarationsIn, docsDir, documentedSources, printed, shown } from './harness.js';

describe('documentation code blocks', () => {
  const pages = (readdirSync(docsDir, { recursive: true }) as string[]).filter(
    (f) => f.endsWith('.md') && !f.startsWith('examples'),
  );
  const referenced = new Set(
    documentedSources
      .flatMap(declarationsIn)
      .filter((d) => d.example !== undefined)
      .map((d) => `examples/${d.name}.ts`),
  );

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

  it('every example file appears in the docs or in a doc comment', () => {
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

describe('codecs', () => {
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

describe('observability', () => {
  it('Prometheus: the standard metrics on the /metrics endpoint', async () => {
    expect(await printed(() => import('./examples/prometheus.js'))).toEqual([
      '[\n  \'tributary_consumer_lag_records{topic="binance.trades",partition="0"} 42\'\n]',
    ]);
  });

  it('a registry of your own: StatsD lines', async () => {
    expect(await printed(() => import('./examples/ownRegistry.js'))).toEqual([
      'tributary_late_records_total:1|c|#operator:candles,topic:binance.trades',
      'tributary_sink_buffered_records:+250|g|#sink:influx',
      'tributary_end_to_end_latency_milliseconds:12|h|#output:candles',
    ]);
  });

  it('MemoryMetrics', async () => {
    expect(await printed(() => import('./examples/MemoryMetrics.js'))).toEqual([
      '2 0.32',
      '{ le: 0.25, count: 1 }',
    ]);
  });

  it('createLogger: one JSON line, secrets redacted', async () => {
    // pino writes to a standard output whose `write` was replaced through that `write`.
    const lines: string[] = [];
    vi.stubEnv('TRIBUTARY_LOG_LEVEL', '');
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      await import('./examples/createLogger.js');
    } finally {
      spy.mockRestore();
      vi.unstubAllEnvs();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\{[^\n]*\}\n$/);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(['level', 'time', 'app', 'pid', 'name', 'kafka', 'msg']);
    expect(line).toEqual({
      level: 30,
      time: expect.any(Number),
      app: 'crypto-analytics',
      pid: process.pid,
      name: 'kafka-source',
      kafka: { brokers: ['localhost:9092'], sasl: '[redacted]' },
      msg: 'connecting',
    });
  });

  it('the examples in the doc comments of tributary/metrics', async () => {
    expect(await printed(() => import('./examples/Metrics.js'))).toEqual(['2 64100']);
    expect(await printed(() => import('./examples/MetricsError.js'))).toEqual(['METRIC_CONFLICT false']);
    expect(await printed(() => import('./examples/noopMetrics.js'))).toEqual([]);
    expect(await printed(() => import('./examples/metricNames.js'))).toEqual([
      "tributary_consumer_lag_records gauge [ 'topic', 'partition' ]",
    ]);
    expect(await printed(() => import('./examples/standardMetrics.js'))).toEqual(['1200']);
    expect(await printed(() => import('./examples/promMetrics.js'))).toEqual([
      [
        '# HELP tributary_records_in_total Records an operator received, by operator and source topic.',
        '# TYPE tributary_records_in_total counter',
        'tributary_records_in_total{operator="source",topic="trades"} 3',
      ].join('\n'),
    ]);
    expect(await printed(() => import('./examples/serveMetrics.js'))).toEqual([
      'text/plain; version=0.0.4; charset=utf-8',
      'build_info{version="0.1.0"} 1',
    ]);
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

describe('the InfluxDB sink', () => {
  // The complete example writes to a server: test/integration/influxSinkDocs.test.ts runs it.
  it('point mappings', async () => {
    const { candles, transfers } = await import('./examples/pointMapping.js');
    expect(candles.measurement).toBe('candles');
    expect(typeof transfers.measurement).toBe('function');
  });

  it('a configuration error names the field', async () => {
    // The example leaves the bucket to the environment, which must not name one here.
    vi.stubEnv('INFLUX_BUCKET', undefined);
    onTestFinished(() => void vi.unstubAllEnvs());
    expect(await printed(() => import('./examples/influxConfig.js'))).toEqual([
      'connection.bucket | invalid configuration: connection.bucket is required: give connection.bucket or set INFLUX_BUCKET',
    ]);
  });

  it('an invalid point goes to the dead letters with its reason', async () => {
    expect(await printed(() => import('./examples/influxDeadLetters.js'))).toEqual([
      'POINT_INVALID the record cannot be an InfluxDB point: field celsius is NaN, which InfluxDB cannot store',
      'POINT_INVALID',
    ]);
  });
});

describe('runtime', () => {
  it('either Kafka client as the transport, chosen without connecting', async () => {
    const { transport, app } = await import('./examples/kafkaClients.js');
    expect(Object.keys(transport)).toEqual(
      expect.arrayContaining([
        'close',
        'consumer',
        'endOffsets',
        'ensureTopics',
        'partitions',
        'producer',
        'readPartition',
      ]),
    );
    expect(app.failed).toBeUndefined();
  });

  it('exactly-once: outputs are visible once the checkpoint that covers them commits', async () => {
    const { beforeCheckpoint, afterCheckpoint } = await import('./examples/exactlyOnce.js');
    expect([beforeCheckpoint, afterCheckpoint]).toEqual([0, 1]);
  });

  it('an application on the in-memory log', async () => {
    const { printed } = await import('./examples/application.js');
    expect(printed).toEqual(['BTCUSDT 0: 2 trades']);
  });
});
