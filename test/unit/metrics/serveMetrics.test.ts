import { createServer } from 'node:net';
import { Gauge, Registry, type OpenMetricsContentType } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { MetricsError } from '../../../src/metrics/MetricsError.js';
import { promMetrics } from '../../../src/metrics/promMetrics.js';
import {
  serveMetrics,
  type MetricsServer,
  type ServeMetricsOptions,
} from '../../../src/metrics/serveMetrics.js';

/** Starts a server for this test and closes it when the test ends, whether it passed or not. */
const serve = async (options: ServeMetricsOptions): Promise<MetricsServer> => {
  const server = await serveMetrics(options);
  onTestFinished(() => server.close());
  return server;
};

/** Open TCP servers and sockets of this test worker. */
const tcpHandles = (): number =>
  process.getActiveResourcesInfo().filter((resource) => resource.startsWith('TCP')).length;

/**
 * Waits until `condition` holds, turn by turn of the event loop: a closed handle leaves Node's list of
 * active resources only when libuv has run its close callback, a moment after `close` resolves.
 */
const eventually = async (condition: () => boolean, deadlineMs = 2_000): Promise<void> => {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${deadlineMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
};

describe('serveMetrics', () => {
  let baseline = 0;
  beforeAll(() => {
    baseline = tcpHandles();
  });
  afterAll(async () => {
    await eventually(() => tcpHandles() === baseline);
  });

  it("answers GET /metrics with the registry's text and content type, on a free port", async () => {
    const registry = new Registry();
    promMetrics(registry).counter('records_total', 'Records read', ['topic']).inc({ topic: 'trades' }, 3);
    const server = await serve({ port: 0, registry });

    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toBe(await registry.metrics());
    expect(await registry.metrics()).toContain('records_total{topic="trades"} 3');
  });

  it('serves an OpenMetrics registry with its own content type, and ignores a query string', async () => {
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    promMetrics(registry).gauge('lag_records', 'Lag').set(12);
    const server = await serve({ port: 0, registry });

    const response = await fetch(`${server.url}/metrics?name[]=lag_records`);
    expect(response.headers.get('content-type')).toBe(Registry.OPENMETRICS_CONTENT_TYPE);
    expect(await response.text()).toBe(await registry.metrics());
  });

  it('answers GET /health, 404 elsewhere and 405 for other methods', async () => {
    const server = await serve({ port: 0, registry: new Registry() });

    const health = await fetch(`${server.url}/health`);
    expect([health.status, health.headers.get('content-type'), await health.json()]).toEqual([
      200,
      'application/json',
      { status: 'ok' },
    ]);
    for (const path of ['/', '/metrics/', '/metricsx', '/favicon.ico']) {
      const response = await fetch(`${server.url}${path}`);
      expect([path, response.status, await response.text()]).toEqual([path, 404, 'not found\n']);
    }
    const post = await fetch(`${server.url}/metrics`, { method: 'POST', body: 'x' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    await post.text();
    const head = await fetch(`${server.url}/metrics`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('answers 500 with the reason when collecting fails', async () => {
    const registry = new Registry();
    new Gauge({
      name: 'broken',
      help: 'A gauge whose collect fails',
      registers: [registry],
      collect: () => {
        throw new Error('source unavailable');
      },
    });
    const server = await serve({ port: 0, registry });

    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('source unavailable');
  });

  it('closes: stops listening, drops kept-alive connections, leaves no server handle', async () => {
    await eventually(() => tcpHandles() === baseline);
    const server = await serveMetrics({ port: 0, registry: new Registry() });
    expect(tcpHandles()).toBe(baseline + 1);
    // fetch keeps the connection alive: close must not wait for it.
    await (await fetch(`${server.url}/metrics`)).text();

    await server.close();
    await server.close();
    await eventually(() => tcpHandles() === baseline);
    await expect(fetch(`${server.url}/metrics`)).rejects.toThrow();
  });

  it('closes while a scrape is in progress, failing that request', async () => {
    const registry = new Registry();
    let collecting!: () => void;
    const started = new Promise<void>((resolve) => (collecting = resolve));
    new Gauge({
      name: 'stuck',
      help: 'A gauge whose collect never finishes',
      registers: [registry],
      collect: () => {
        collecting();
        return new Promise<void>(() => {});
      },
    });
    const server = await serveMetrics({ port: 0, registry });
    const scrape = fetch(`${server.url}/metrics`);
    await started;

    await server.close();
    await expect(scrape).rejects.toThrow();
    await eventually(() => tcpHandles() === baseline);
  });

  it('rejects a port in use with Node’s error code, and a port that is not one', async () => {
    const taken = await serve({ port: 0, registry: new Registry() });
    const port = Number(new URL(taken.url).port);

    await expect(serveMetrics({ port, registry: new Registry() })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    for (const bad of [-1, 65_536, 1.5, Number.NaN]) {
      const error = await serveMetrics({ port: bad, registry: new Registry() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MetricsError);
      expect(error).toMatchObject({ code: 'CONFIG_INVALID', field: 'port' });
    }
  });

  it('listens on the given host, with a URL to connect to', async () => {
    const ipv6 = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(0, '::1', () => probe.close(() => resolve(true)));
    });
    const hosts: [string, RegExp][] = [
      ['localhost', /^http:\/\/localhost:\d+$/],
      ['0.0.0.0', /^http:\/\/127\.0\.0\.1:\d+$/],
      ...(ipv6 ? ([['::1', /^http:\/\/\[::1\]:\d+$/]] as [string, RegExp][]) : []),
    ];
    for (const [host, url] of hosts) {
      const server = await serve({ port: 0, host, registry: new Registry() });
      expect(server.url).toMatch(url);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    }
  });
});
