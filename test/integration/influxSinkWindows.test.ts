import * as t from 'io-ts';
import { expect, test } from 'vitest';
import {
  aggregators,
  Application,
  fromField,
  json,
  MemoryLog,
  memoryTransport,
  tumbling,
  type WindowResult,
} from '../../src/index.js';
import { influxSink } from '../../src/sinks/influxdb/index.js';
import { createBucket, uniqueName } from './helpers.js';
import { awaitPointCount, connectionTo, fluxRows } from './influxSinkHelpers.js';

const Trade = t.type({ s: t.string, p: t.number, T: t.number });
type Trade = t.TypeOf<typeof Trade>;

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const PARTITIONS = 2;
const WINDOWS = 20;
const WINDOW_MS = 30_000;
const START = Date.UTC(2024, 7, 8, 0, 0, 0);

test('window results written by a pipeline are read back with Flux, with their exact values and timestamps', async () => {
  const bucket = await createBucket();

  // Trades every 700 ms per symbol with prices that make the averages long decimals; the expected average
  // of each symbol and 30 s window is computed here, apart from the pipeline.
  const log = new MemoryLog();
  log.createTopic('trades', { partitions: PARTITIONS });
  const sums = new Map<string, { sum: number; count: number }>();
  const messages: { key: null; value: Uint8Array; partition: number; at: number }[] = [];
  SYMBOLS.forEach((s, index) => {
    for (let at = START + index * 100; at < START + WINDOWS * WINDOW_MS; at += 700) {
      const p = 60_000 / (index + 1) + ((at / 700) % 37) * 0.01 + 1 / 3;
      const value = new TextEncoder().encode(JSON.stringify({ s, p, T: at }));
      messages.push({ key: null, value, partition: index % PARTITIONS, at });
      const key = `${s}@${Math.floor(at / WINDOW_MS) * WINDOW_MS}`;
      const w = sums.get(key) ?? { sum: 0, count: 0 };
      sums.set(key, { sum: w.sum + p, count: w.count + 1 });
    }
  });
  // In time order, as an exchange sends them: a partition's watermark trails its latest trade.
  log.produce(
    'trades',
    messages.sort((a, b) => a.at - b.at).map(({ key, value, partition }) => ({ key, value, partition })),
  );
  // A trade far ahead on every partition closes every window of the data (its own window stays open).
  log.produce(
    'trades',
    Array.from({ length: PARTITIONS }, (_, partition) => ({
      key: null,
      value: new TextEncoder().encode(JSON.stringify({ s: 'CLOSER', p: 1, T: START + 86_400_000 })),
      partition,
    })),
  );

  const app = new Application({
    applicationId: uniqueName(),
    transport: memoryTransport(log),
    commitInterval: '1s',
  });
  const trades = app.source({
    topic: 'trades',
    value: json(Trade),
    timestamp: fromField((trade: Trade) => trade.T),
    watermark: { maxOutOfOrderness: '1s' },
  });
  const averages = trades
    .selectKey((trade) => trade.s)
    .window(tumbling('30s'))
    .aggregate(aggregators.mean((trade: Trade) => trade.p));
  const sink = influxSink<string, WindowResult<number, 'final'>>({
    connection: connectionTo(bucket),
    point: {
      measurement: 'crypto_avg',
      tags: { symbol: (r) => r.key },
      fields: { average_price: (r) => r.value.value },
    },
  });
  app.to(averages, sink);
  await app.start();
  await app.caughtUp();
  await app.stop(); // the final checkpoint flushes the sink

  const expected = [...sums].map(([key, { sum, count }]) => {
    const [symbol, start] = key.split('@');
    return { symbol: symbol!, time: Number(start), value: sum / count };
  });
  expect(expected).toHaveLength(SYMBOLS.length * WINDOWS);
  expect(sink.stats()).toMatchObject({ written: expected.length, rejected: 0, pending: 0 });

  await awaitPointCount(bucket, 'crypto_avg', 'average_price', expected.length);
  const rows = await fluxRows<{ _time: string; _value: number; symbol: string }>(`from(bucket: "${bucket}")
    |> range(start: 2024-08-08T00:00:00Z, stop: 2024-08-09T00:00:00Z)
    |> filter(fn: (r) => r["_measurement"] == "crypto_avg")
    |> filter(fn: (r) => r["_field"] == "average_price")`);
  const read = rows
    .map((row) => ({ symbol: row.symbol, time: Date.parse(row._time), value: row._value }))
    .sort((a, b) => a.symbol.localeCompare(b.symbol) || a.time - b.time);
  expect(read).toEqual(expected.sort((a, b) => a.symbol.localeCompare(b.symbol) || a.time - b.time));
});
