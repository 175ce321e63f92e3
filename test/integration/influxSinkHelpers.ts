import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxDB } from '@influxdata/influxdb-client';
import { down, INFLUX_VERSION, up } from '../../scripts/services.mjs';
import type { InfluxConnection } from '../../src/sinks/influxdb/index.js';
import { services, waitFor } from './helpers.js';

// `url` below defaults to the shared test InfluxDB; the token and org are the same on a private one.

/** The connection of the test InfluxDB, to `bucket`. */
export function connectionTo(bucket: string, url = services().INFLUX_URL): InfluxConnection {
  const { INFLUX_TOKEN, INFLUX_ORG } = services();
  return { url, token: INFLUX_TOKEN, org: INFLUX_ORG, bucket };
}

/** Runs a Flux query against the test InfluxDB and returns its rows. */
export function fluxRows<T>(query: string, url = services().INFLUX_URL): Promise<T[]> {
  const { INFLUX_TOKEN, INFLUX_ORG } = services();
  return new InfluxDB({ url, token: INFLUX_TOKEN }).getQueryApi(INFLUX_ORG).collectRows<T>(query);
}

/** How many points (one field's values) of `measurement` the bucket holds. */
export async function pointCount(
  bucket: string,
  measurement: string,
  field: string,
  url = services().INFLUX_URL,
): Promise<number> {
  const rows = await fluxRows<{ _value: number }>(
    `from(bucket: "${bucket}")
    |> range(start: 0)
    |> filter(fn: (r) => r["_measurement"] == "${measurement}" and r["_field"] == "${field}")
    |> group()
    |> count()`,
    url,
  );
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
  url = services().INFLUX_URL,
): Promise<number> {
  return waitFor(
    async () => {
      const count = await pointCount(bucket, measurement, field, url);
      return count >= expected && count;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `${expected} points of ${measurement} queryable` },
  );
}

/** An InfluxDB of a test's own, which it may stop and start. */
export interface PrivateInflux {
  readonly url: string;
  /** Stops the server, keeping its data. */
  stop(): Promise<void>;
  /** Starts it again (a no-op when it runs) and waits until it is healthy. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  remove(): Promise<void>;
}

/** Where the project's scripts keep the influxd they build (their cache layout). */
const cachedInfluxd = (): string =>
  join(
    process.env.TRIBUTARY_CACHE_DIR ??
      join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tributary'),
    `influxdb-${INFLUX_VERSION}`,
    'influxd',
  );

/**
 * Whether a private InfluxDB can be started here: the scripts have built influxd, or can build it because
 * they run the shared one themselves (no `INFLUX_URL`, as with Docker).
 */
export const canRunPrivateInflux = (): boolean => existsSync(cachedInfluxd()) || !process.env.INFLUX_URL;

/**
 * Starts an InfluxDB for one test through the project's scripts, from their cached binary, on a free port
 * and with its own data directory (`TRIBUTARY_INFLUX_PORT`, `TRIBUTARY_SERVICES_DIR`), with the same test
 * tenant (org, token) as the shared one. A test can stop it without disturbing anyone using the shared
 * server; the scripts are told to leave `INFLUX_URL`, which names the shared one, aside.
 */
export async function privateInflux(): Promise<PrivateInflux> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tributary-influx-'));
  const scoped = async <T>(run: () => Promise<T>): Promise<T> => {
    const saved = {
      INFLUX_URL: process.env.INFLUX_URL,
      TRIBUTARY_INFLUX_PORT: process.env.TRIBUTARY_INFLUX_PORT,
      TRIBUTARY_SERVICES_DIR: process.env.TRIBUTARY_SERVICES_DIR,
    };
    delete process.env.INFLUX_URL;
    process.env.TRIBUTARY_INFLUX_PORT = String(port);
    process.env.TRIBUTARY_SERVICES_DIR = dir;
    try {
      return await run();
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  };
  const { env } = await scoped(() => up({ kafka: false, influx: true }));
  return {
    url: env.INFLUX_URL!,
    stop: () => scoped(() => down({ kafka: false, influx: true, keepData: true })),
    start: async () => {
      await scoped(() => up({ kafka: false, influx: true }));
    },
    remove: async () => {
      await scoped(() => down({ kafka: false, influx: true }));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
