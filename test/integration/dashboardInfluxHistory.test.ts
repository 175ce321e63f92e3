import { expect, test } from 'vitest';
import { byLength, type DashboardEvent } from '../../examples/crypto/dashboard/DashboardEvent.js';
import { influxHistory, inMemoryHistory } from '../../examples/crypto/dashboard/index.js';
import { replayedResults, writeResults } from './dashboardData.js';
import { createBucket, services } from './helpers.js';

const sorted = (events: readonly DashboardEvent[]) =>
  [...events].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

test("the dashboard's history read from InfluxDB is the results the pipeline wrote, as the in-memory history holds them", async () => {
  const bucket = await createBucket();
  const events = await replayedResults();
  await writeResults(bucket, events);

  const memory = inMemoryHistory();
  for (const e of events) memory.add(e);
  const { INFLUX_URL, INFLUX_TOKEN, INFLUX_ORG } = services();
  const influx = influxHistory({ url: INFLUX_URL, token: INFLUX_TOKEN, org: INFLUX_ORG, bucket });

  const extent = await influx.extent();
  expect(extent).toEqual({
    symbols: { BTCUSDT: ['1s', '1m'], ETHUSDT: ['1s', '1m'] },
    latest: (await memory.extent()).latest,
  });
  const { symbols } = await memory.extent();
  expect(Object.fromEntries(Object.entries(symbols).map(([s, i]) => [s, [...i].sort(byLength)]))).toEqual(
    extent.symbols,
  );

  const now = extent.latest!;
  for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
    for (const [from, to, intervals] of [
      [now - 15 * 60_000, now, undefined],
      [now - 5 * 60_000, now - 2 * 60_000, ['1m']],
      [now - 90_000, now - 60_000, ['1s']],
      [now - 3_600_000, now, []],
    ] as const) {
      const options = intervals === undefined ? {} : { intervals };
      const fromInflux = await influx.query(symbol, from, to, options);
      expect(fromInflux.length).toBeGreaterThan(0);
      expect(sorted(fromInflux)).toEqual(sorted(await memory.query(symbol, from, to, options)));
    }
  }
});
