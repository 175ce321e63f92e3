import { InfluxDB } from '@influxdata/influxdb-client';
import { down, status, up } from '../../scripts/services.mjs';
import type { InfluxConnection } from '../../src/sinks/influxdb/index.js';
import { services, waitFor } from './helpers.js';

/** The connection of the test InfluxDB, to `bucket`. */
export function connectionTo(bucket: string): InfluxConnection {
  const { INFLUX_URL, INFLUX_TOKEN, INFLUX_ORG } = services();
  return { url: INFLUX_URL, token: INFLUX_TOKEN, org: INFLUX_ORG, bucket };
}

/** Runs a Flux query against the test InfluxDB and returns its rows. */
export function fluxRows<T>(query: string): Promise<T[]> {
  const { INFLUX_URL, INFLUX_TOKEN, INFLUX_ORG } = services();
  return new InfluxDB({ url: INFLUX_URL, token: INFLUX_TOKEN }).getQueryApi(INFLUX_ORG).collectRows<T>(query);
}

/** How many points (one field's values) of `measurement` the bucket holds. */
export async function pointCount(bucket: string, measurement: string, field: string): Promise<number> {
  const rows = await fluxRows<{ _value: number }>(`from(bucket: "${bucket}")
    |> range(start: 0)
    |> filter(fn: (r) => r["_measurement"] == "${measurement}" and r["_field"] == "${field}")
    |> group()
    |> count()`);
  return rows[0]?._value ?? 0;
}

/**
 * Waits until `measurement` holds `expected` points: a bucket created moments ago can answer a query
 * without the points of a write it acknowledged, for a short while.
 */
export async function awaitPointCount(
  bucket: string,
  measurement: string,
  field: string,
  expected: number,
): Promise<number> {
  return waitFor(
    async () => {
      const count = await pointCount(bucket, measurement, field);
      return count >= expected && count;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `${expected} points of ${measurement} queryable` },
  );
}

/**
 * Whether the test InfluxDB is the one `scripts/services.mjs` runs on this machine (its pid file, the
 * same address), which a test may stop and start through those scripts. The scripts leave alone a server
 * named by `INFLUX_URL`, so the calls below hide that variable from them while they run: here it names
 * their own server.
 */
export function influxIsRestartable(): boolean {
  const named = hideInfluxUrl();
  try {
    const local = status().influx;
    return local.state === 'running' && local.address === services().INFLUX_URL;
  } finally {
    named.restore();
  }
}

/** Stops the local InfluxDB (keeping its data), through the project's scripts. */
export async function stopInflux(): Promise<void> {
  const named = hideInfluxUrl();
  try {
    await down({ kafka: false, influx: true, keepData: true });
  } finally {
    named.restore();
  }
}

/** Starts the local InfluxDB again (a no-op when it runs) and waits until it is healthy. */
export async function startInflux(): Promise<void> {
  const named = hideInfluxUrl();
  try {
    await up({ kafka: false, influx: true });
  } finally {
    named.restore();
  }
}

function hideInfluxUrl(): { restore(): void } {
  const named = process.env.INFLUX_URL;
  delete process.env.INFLUX_URL;
  return {
    restore: () => {
      if (named !== undefined) process.env.INFLUX_URL = named;
    },
  };
}
