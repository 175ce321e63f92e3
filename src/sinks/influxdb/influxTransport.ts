import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { HttpError, InfluxDB, RequestTimedOutError } from '@influxdata/influxdb-client';
import type { SendLines, WriteOutcome } from './BatchWriter.js';
import type { ResolvedConnection } from './InfluxConnection.js';
import type { Precision } from './PointMapping.js';
import type { WriteFailure } from './WriteFailure.js';

/**
 * The write endpoint through the official client's HTTP transport, one request per call: the batching,
 * retries and error handling of its `WriteApi` are not used (its retry buffer drops the oldest lines when
 * full, and `close()` resolves before every batch is acknowledged). The only module that imports
 * `@influxdata/influxdb-client`. Internal.
 */
export interface InfluxTransport {
  readonly send: SendLines;
  /** Closes the connections kept alive between requests. */
  readonly close: () => void;
}

export interface InfluxTransportOptions {
  readonly precision: Precision;
  /** Compress request bodies with gzip (bodies over 1 kB). */
  readonly gzip: boolean;
  /** A request that has no answer after this long fails (and is retried). */
  readonly timeoutMs: number;
}

const OK: WriteOutcome = { ok: true };

/** A failed request as a value; nothing of the request (its headers carry the token) is kept. */
const failureOf = (error: unknown, timeoutMs: number): WriteFailure => {
  if (error instanceof HttpError) {
    const json = error.json as { message?: unknown } | undefined;
    const message =
      typeof json?.message === 'string' ? json.message : error.body || error.statusMessage || error.message;
    const retryAfter = error.headers?.['retry-after'];
    const header = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
    return { status: error.statusCode, message, ...(header === undefined ? {} : { retryAfter: header }) };
  }
  if (error instanceof RequestTimedOutError) return { message: `no answer within ${timeoutMs} ms` };
  const code = (error as { code?: unknown }).code;
  const text = error instanceof Error ? error.message : String(error);
  return { message: typeof code === 'string' && !text.includes(code) ? `${code}: ${text}` : text };
};

/** A transport writing to the connection's bucket. */
export const influxTransport = (
  connection: ResolvedConnection,
  { precision, gzip, timeoutMs }: InfluxTransportOptions,
): InfluxTransport => {
  const https = connection.url.startsWith('https:');
  const agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const client = new InfluxDB({
    url: connection.url,
    token: connection.token,
    timeout: timeoutMs,
    transportOptions: { agent },
  });
  const path =
    `/api/v2/write?org=${encodeURIComponent(connection.org)}` +
    `&bucket=${encodeURIComponent(connection.bucket)}&precision=${precision}`;
  const options = {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    ...(gzip ? { gzipThreshold: 1_000 } : {}),
  };
  return {
    send: async (lines) => {
      try {
        await client.transport.request(path, lines.join('\n'), options);
        return OK;
      } catch (error) {
        return { ok: false, failure: failureOf(error, timeoutMs) };
      }
    },
    close: () => agent.destroy(),
  };
};
