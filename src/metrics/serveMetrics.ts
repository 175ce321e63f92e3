import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register, type Registry, type RegistryContentType } from 'prom-client';
import { MetricsError } from './MetricsError.js';

/** Options of {@link serveMetrics}. */
export interface ServeMetricsOptions {
  /** The port to listen on; `0` picks a free one (read it from {@link MetricsServer.url}). */
  readonly port: number;
  /** The interface to listen on. Default `'127.0.0.1'`: set `'0.0.0.0'` (or `'::'`) to be scraped from outside. */
  readonly host?: string;
  /** The registry to expose. Default prom-client's global `register`, as for {@link promMetrics}. */
  readonly registry?: Registry<RegistryContentType>;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /**
   * The base address, e.g. `http://127.0.0.1:9464` (for host `0.0.0.0` or `::`, the loopback address);
   * the endpoints are `${url}/metrics` and `${url}/health`.
   */
  readonly url: string;
  /**
   * Stops listening and closes every connection, including idle keep-alive ones and a scrape in
   * progress, so that nothing keeps the process alive. Resolves once the server is closed; calling it
   * again returns the same promise.
   */
  close(): Promise<void>;
}

/**
 * Serves a prom-client registry over HTTP with `node:http`:
 *
 * - `GET /metrics`: the registry in its text format (Prometheus 0.0.4 or OpenMetrics, whichever the
 *   registry is set to), with the registry's content type; 500 with the reason if collecting fails;
 * - `GET /health`: `200 {"status":"ok"}` while the process serves requests (a liveness probe);
 * - any other path: 404; another method on these paths: 405.
 *
 * Resolves once listening; rejects with Node's error (e.g. code `EADDRINUSE`) if it cannot listen, or a
 * `CONFIG_INVALID` {@link MetricsError} for a port that is not one.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import { promMetrics, serveMetrics } from 'tributary/metrics';
 *
 * const registry = new Registry();
 * promMetrics(registry)
 *   .gauge('build_info', 'Always 1, labelled with the version', ['version'])
 *   .set({ version: '0.1.0' }, 1);
 *
 * const server = await serveMetrics({ port: 0, registry });
 * const response = await fetch(`${server.url}/metrics`);
 * console.log(response.headers.get('content-type'));
 * // text/plain; version=0.0.4; charset=utf-8
 * console.log((await response.text()).split('\n')[2]);
 * // build_info{version="0.1.0"} 1
 * await server.close();
 * ```
 */
export const serveMetrics = async (options: ServeMetricsOptions): Promise<MetricsServer> => {
  const { port, host = '127.0.0.1', registry = register } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    const message = `invalid configuration: port must be an integer from 0 to 65535, got ${port}`;
    throw new MetricsError('CONFIG_INVALID', message, { field: 'port' });
  }

  const server = createServer((request, response) => {
    void respond(registry, request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A failed accept (EMFILE) is emitted on the server: the metrics endpoint must not crash the pipeline
  // for it, and the next scrape tries again.
  server.on('error', () => {});

  const { port: actualPort } = server.address() as AddressInfo;
  // A wildcard address is not one to connect to: the URL names the loopback interface instead.
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${actualPort}`,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      })),
  };
};

const respond = async (
  registry: Registry<RegistryContentType>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> => {
  let path: string;
  try {
    path = new URL(request.url ?? '/', 'http://localhost').pathname;
  } catch {
    return send(response, 400, 'text/plain; charset=utf-8', 'bad request\n');
  }
  if (path !== '/metrics' && path !== '/health')
    return send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }
  if (path === '/health') return send(response, 200, 'application/json', '{"status":"ok"}\n');
  try {
    send(response, 200, registry.contentType, await registry.metrics());
  } catch (error) {
    send(response, 500, 'text/plain; charset=utf-8', `collecting metrics failed: ${String(error)}\n`);
  }
};

const send = (response: ServerResponse, status: number, contentType: string, body: string): void => {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
};
