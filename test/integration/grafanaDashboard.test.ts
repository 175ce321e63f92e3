/**
 * Grafana cannot run here (no Docker, no package), so this checks what it would do with the provisioned
 * dashboard: every Flux query in it, interpolated as Grafana does, runs against a real InfluxDB holding the
 * crypto example's results and returns rows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import type { CandleEvent, DashboardEvent } from '../../examples/crypto/dashboard/DashboardEvent.js';
import { replayedResults, writeResults } from './dashboardData.js';
import { createBucket, services } from './helpers.js';
import { fluxRows } from './influxSinkHelpers.js';

const PROVISIONING = new URL('../../docker/grafana/provisioning/', import.meta.url);

interface Target {
  refId: string;
  datasource?: { type: string; uid: string };
  query: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Target[];
  panels?: Panel[];
  repeat?: string;
}
interface Variable {
  name: string;
  type: string;
  datasource?: { type: string; uid: string };
  query: string;
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

const provider = parse(readFileSync(new URL('dashboards/tributary.yml', PROVISIONING), 'utf8')) as {
  providers: { type: string; options: { path: string } }[];
};
const dashboardFiles = readdirSync(new URL('dashboards/json/', PROVISIONING)).filter((f) =>
  f.endsWith('.json'),
);
const dashboards = dashboardFiles.map(
  (file) => JSON.parse(readFileSync(new URL(`dashboards/json/${file}`, PROVISIONING), 'utf8')) as Dashboard,
);
const datasource = (
  parse(readFileSync(new URL('datasources/influxdb.yml', PROVISIONING), 'utf8')) as {
    datasources: { uid: string; type: string }[];
  }
).datasources[0]!;

const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);

/** Go's `time.RFC3339Nano` in UTC, as Grafana formats the range: no trailing zeros in the fraction. */
const rfc3339Nano = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/\.?0+Z$/, 'Z')
    .replace(/\.Z$/, 'Z');

/**
 * A query as Grafana sends it to InfluxDB: template variables first (in the browser), then the Flux
 * macros (grafana pkg/tsdb/influxdb/flux/macros.go): `v.timeRangeStart`/`v.timeRangeStop` become time
 * literals, `v.windowPeriod` a Go duration, `v.defaultBucket` and `v.organization` string literals.
 */
function interpolate(
  query: string,
  vars: Record<string, string>,
  range: { from: number; to: number; bucket: string; windowPeriod: string },
): string {
  const withVars = query.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const name = braced ?? bare!;
    if (name.startsWith('__')) return whole;
    const value = vars[name];
    if (value === undefined) throw new Error(`no value for the template variable ${name} in\n${query}`);
    return value;
  });
  return withVars
    .replaceAll('v.timeRangeStart', rfc3339Nano(range.from))
    .replaceAll('v.timeRangeStop', rfc3339Nano(range.to))
    .replaceAll('v.windowPeriod', range.windowPeriod)
    .replaceAll('v.defaultBucket', JSON.stringify(range.bucket))
    .replaceAll('v.organization', JSON.stringify(services().INFLUX_ORG))
    .replaceAll('$__interval', range.windowPeriod);
}

describe('the provisioned Grafana dashboards', () => {
  test('are found by the provider where the compose file mounts them, and use the provisioned data source', () => {
    expect(provider.providers).toEqual([
      expect.objectContaining({
        type: 'file',
        options: { path: '/etc/grafana/provisioning/dashboards/json' },
      }),
    ]);
    expect(dashboards.map((d) => d.uid)).toEqual(['tributary-crypto']);
    for (const dashboard of dashboards) {
      const users = [
        ...allPanels(dashboard.panels).filter((p) => p.type !== 'row'),
        ...dashboard.templating.list.filter((v) => v.type === 'query'),
      ];
      for (const user of users)
        expect(user.datasource, JSON.stringify(user)).toEqual({ type: 'influxdb', uid: datasource.uid });
    }
  });

  test('the crypto dashboard has price, moving average and candle panels per symbol', () => {
    const [crypto] = dashboards;
    const panels = allPanels(crypto!.panels);
    expect(panels.find((p) => p.type === 'row')?.repeat).toBe('symbol');
    expect(crypto!.templating.list.map((v) => v.name)).toEqual(['symbol', 'interval']);
    const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => `${p.type} ${t.query}`));
    expect(queries.some((q) => q.startsWith('timeseries') && q.includes('"average_price"'))).toBe(true);
    expect(queries.some((q) => q.startsWith('timeseries') && q.includes('"close"'))).toBe(true);
    expect(queries.some((q) => q.startsWith('candlestick') && q.includes('"candles"'))).toBe(true);
  });

  describe("every Flux query returns rows from the example's results", () => {
    let events: DashboardEvent[];
    // The bundled recording's span, as the dashboard's link to it selects it.
    const range = { from: Date.UTC(2024, 7, 8, 23, 54), to: Date.UTC(2024, 7, 9, 0, 6) };

    beforeAll(async () => {
      events = await replayedResults();
    });

    test('variables, then each panel for each symbol and candle interval; the candles are those written', async () => {
      const bucket = await createBucket();
      await writeResults(bucket, events);
      const at = { ...range, bucket, windowPeriod: '1s' };

      for (const dashboard of dashboards) {
        const values: Record<string, string[]> = {};
        for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
          const rows = await fluxRows<{ _value: string }>(interpolate(variable.query, {}, at));
          values[variable.name] = rows.map((r) => r._value).sort();
        }
        expect(values).toEqual({ symbol: ['BTCUSDT', 'ETHUSDT'], interval: ['1m', '1s'] });

        const targets = allPanels(dashboard.panels).flatMap((panel) =>
          (panel.targets ?? []).map((target) => ({ panel, target })),
        );
        expect(targets.length).toBeGreaterThanOrEqual(4);
        for (const symbol of values.symbol!) {
          for (const interval of values.interval!) {
            for (const { panel, target } of targets) {
              const query = interpolate(target.query, { symbol, interval }, at);
              const rows = await fluxRows<Record<string, unknown>>(query);
              expect(
                rows.length,
                `${panel.title} ${target.refId} for ${symbol} ${interval}:\n${query}`,
              ).toBeGreaterThan(0);
            }
          }
        }
      }

      // The candle panel reads back exactly the candles written.
      const candlePanel = allPanels(dashboards[0]!.panels).find((p) => p.type === 'candlestick')!;
      const rows = await fluxRows<{
        _time: string;
        open: number;
        high: number;
        low: number;
        close: number;
        volume: number;
      }>(interpolate(candlePanel.targets![0]!.query, { symbol: 'ETHUSDT', interval: '1m' }, at));
      const written = events.filter(
        (e): e is CandleEvent => e.type === 'candle' && e.symbol === 'ETHUSDT' && e.interval === '1m',
      );
      expect(
        rows.map(({ _time, open, high, low, close, volume }) => ({
          start: Date.parse(_time),
          open,
          high,
          low,
          close,
          volume,
        })),
      ).toEqual(
        written.map(({ start, open, high, low, close, volume }) => ({
          start,
          open,
          high,
          low,
          close,
          volume,
        })),
      );
    });
  });
});
