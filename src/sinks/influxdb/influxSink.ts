import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { deadLetterHeaders } from '../../codecs/deadLetterHeaders.js';
import { configError, raise, TributaryException, type TributaryError } from '../../core/errors.js';
import type { StreamRecord } from '../../core/StreamRecord.js';
import { noopMetrics, type Metrics } from '../../metrics/Metrics.js';
import { standardMetrics } from '../../metrics/standardMetrics.js';
import { unsafePositiveMillis, type Duration } from '../../time/Duration.js';
import type { Sink } from '../Sink.js';
import { BatchWriter, type RefusedLine } from './BatchWriter.js';
import { resolveConnection, type InfluxConnection } from './InfluxConnection.js';
import { influxTransport } from './influxTransport.js';
import { compilePointMapping, type PointMapping } from './PointMapping.js';
import { retryPolicy, type RetryOptions } from './RetryPolicy.js';
import { describeFailure } from './WriteFailure.js';

/**
 * A result InfluxDB will not store, as the sink's dead-letter output receives it: the result itself, the
 * line that was sent (when the record could be turned into one), and why. The error is `POINT_REJECTED`
 * with the server's message (a field type conflict, an unparsable line), or `POINT_INVALID` when the
 * record could not be a point (no field, a non-finite number, a name line protocol cannot carry).
 */
export interface RejectedPoint<V> {
  readonly value: V;
  readonly line?: string;
  readonly error: TributaryError;
}

/** A pino-style logger; `createLogger` from `tributary/metrics` fits. */
export interface SinkLogger {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Options of {@link influxSink}. */
export interface InfluxSinkOptions<K, V> {
  /** For logs, metrics and errors. Default `'influxdb'`. */
  readonly name?: string;
  /** Where to write; what it leaves out comes from `INFLUX_URL`, `INFLUX_TOKEN(_FILE)`, `INFLUX_ORG`, `INFLUX_BUCKET`. */
  readonly connection?: InfluxConnection;
  /** How a record becomes a point. */
  readonly point: PointMapping<K, V>;
  /** Points per write request. Default 5 000. */
  readonly batchSize?: number;
  /** How long a point may wait for its batch to fill before the batch is sent anyway. Default `'1s'`. */
  readonly flushInterval?: Duration;
  /** Compress requests with gzip. Default `true`. */
  readonly gzip?: boolean;
  /** Write requests in flight at once (the writes of one point always go through the same one, in order). Default 4. */
  readonly concurrency?: number;
  /** A request with no answer after this long fails and is sent again. Default `'10s'`. */
  readonly timeout?: Duration;
  /** Backoff between attempts; a server's `Retry-After` is honoured. */
  readonly retry?: RetryOptions;
  /**
   * Where points that InfluxDB will never store go, each with its reason: any sink, such as
   * `app.topicSink('averages.influx.dlq', …)` to keep them in a topic. The record keeps its key, event
   * time and origin, and gains the headers a source's dead letter has (`tributary.error.code`, …). It
   * is flushed before this sink's flush resolves, so a checkpoint commits nothing past an unsaved dead
   * letter. Default: under an `Application`, the topic `<name>.dlq` (see `Sink.useDeadLetters`); used on
   * its own, each batch of them is logged as an error (through `logger`, else as a process warning), and
   * they are counted.
   */
  readonly deadLetters?: Sink<K, RejectedPoint<V>>;
  readonly logger?: SinkLogger;
  /** Where the sink's metrics go (`tributary_influx_*`). Default: nowhere. */
  readonly metrics?: Metrics;
}

/** What an InfluxDB sink has done so far. */
export interface InfluxSinkStats {
  /** Points taken and not yet written or rejected. */
  readonly pending: number;
  /** The most points pending at once so far (what the sink's memory had to hold). */
  readonly peakPending: number;
  /** Points the server stored. */
  readonly written: number;
  /** Points sent to the dead-letter output (rejected by the server, or invalid). */
  readonly rejected: number;
  /** Requests sent again after no answer, a 429 or a 5xx. */
  readonly retries: number;
  /** The failure the sink is waiting out, if any. */
  readonly failing?: TributaryError;
}

/** A {@link Sink} writing to InfluxDB, with its statistics. */
export interface InfluxSink<K, V> extends Sink<K, V> {
  backlog(): number;
  close(): Promise<void>;
  stats(): InfluxSinkStats;
}

const positiveInteger = (value: number | undefined, fallback: number, field: string): number => {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1)
    raise(configError(field, `must be a whole number ≥ 1, got ${String(n)}`));
  return n;
};

/**
 * A sink writing each record as an InfluxDB 2 point, built on the official client's HTTP transport.
 *
 * - **Batched**: 5 000 points per gzip request (`batchSize`, `gzip`), a partial batch after `flushInterval`
 *   (1 s), four requests in flight (`concurrency`). `flush()` — which the runtime calls at every
 *   checkpoint, before committing offsets — resolves once every point written so far is stored.
 * - **Lossless**: a request that gets no answer, a 429 or a 5xx is sent again with backoff (honouring
 *   `Retry-After`), for as long as it takes; meanwhile `backlog()` grows, and the runtime pauses the
 *   sources above its `maxSinkBacklog`, which bounds the memory held. A flush during an outage rejects
 *   (`SINK_UNAVAILABLE`), so nothing is committed past unwritten points.
 * - **Bad points isolated**: points the server refuses for good (400 unparsable, 422 field type conflict)
 *   go to `deadLetters` with the server's message; the rest of their batch is written.
 * - **Idempotent**: a point is identified by measurement, tags and timestamp, so writing a result again
 *   (a replay after a crash) overwrites it.
 *
 * The connection and the mapping are checked here: bad configuration throws a `CONFIG_INVALID`
 * `TributaryException` naming the field. The token appears in no log and no error.
 *
 * @example
 * ```ts
 * import { aggregators, Application, MemoryLog, memoryTransport, tumbling, json } from 'tributary';
 * import { influxSink } from 'tributary/influxdb';
 * import * as t from 'io-ts';
 *
 * const app = new Application({ applicationId: 'prices', transport: memoryTransport(new MemoryLog()) });
 * const trades = app.source({ topic: 'trades', value: json(t.type({ s: t.string, p: t.number })) });
 * const averages = trades
 *   .selectKey((trade) => trade.s)
 *   .window(tumbling('1m'))
 *   .aggregate(aggregators.mean((trade: { p: number }) => trade.p));
 * app.to(
 *   averages,
 *   influxSink({
 *     connection: { url: 'http://127.0.0.1:8086', tokenFile: '/run/secrets/influx-token', org: 'acme', bucket: 'crypto' },
 *     point: { measurement: 'crypto_avg', tags: { symbol: (r) => r.key }, fields: { average_price: (r) => r.value.value } },
 *   }),
 * );
 * ```
 */
export const influxSink = <K, V>(options: InfluxSinkOptions<K, V>): InfluxSink<K, V> => {
  if (typeof options !== 'object' || options === null) raise(configError('influxSink', 'needs options'));
  const name = options.name ?? 'influxdb';
  const encode = compilePointMapping(options.point);
  const batchSize = positiveInteger(options.batchSize, 5_000, 'batchSize');
  const lanes = positiveInteger(options.concurrency, 4, 'concurrency');
  const flushIntervalMs = unsafePositiveMillis(options.flushInterval ?? '1s', 'flushInterval');
  const timeoutMs = unsafePositiveMillis(options.timeout ?? '10s', 'timeout');
  const retry = retryPolicy(options.retry);
  const resolved = resolveConnection(options.connection, {
    env: process.env,
    readFile: (path) => readFileSync(path, 'utf8'),
  });
  const connection = E.isLeft(resolved) ? raise(resolved.left) : resolved.right;
  const transport = influxTransport(connection, {
    precision: options.point.precision ?? 'ms',
    gzip: options.gzip ?? true,
    timeoutMs,
  });

  const metrics = standardMetrics(options.metrics ?? noopMetrics);
  const { logger } = options;
  let deadLetters = options.deadLetters;
  let written = 0;
  let rejected = 0;
  let retries = 0;
  /** Dead letters the output did not take yet (its `write` threw): kept, and counted as backlog. */
  let undelivered: StreamRecord<K, RejectedPoint<V>>[] = [];
  let deadLettersUnflushed = false;

  /** Hands the waiting dead letters to the output; keeps them if it throws. */
  const deliver = (output: Sink<K, RejectedPoint<V>>): unknown => {
    if (undelivered.length === 0) return undefined;
    try {
      output.write(undelivered);
      undelivered = [];
      deadLettersUnflushed = true;
      return undefined;
    } catch (error) {
      logger?.error({ sink: name, err: error, points: undelivered.length }, 'the dead-letter output failed');
      return error;
    }
  };

  const reject = (points: readonly RejectedPoint<V>[], records: readonly StreamRecord<K, V>[]): void => {
    rejected += points.length;
    for (const p of points)
      metrics.influxPoints.inc({
        sink: name,
        outcome: p.error.code === 'POINT_INVALID' ? 'invalid' : 'rejected',
      });
    if (deadLetters) {
      points.forEach((value, i) => {
        const r = records[i]!;
        undelivered.push({
          key: r.key,
          value,
          timestamp: r.timestamp,
          headers: { ...r.headers, ...deadLetterHeaders(value.error) },
          ...(r.origin ? { origin: r.origin } : {}),
        });
      });
      deliver(deadLetters);
      return;
    }
    const first = points[0]!;
    const fields = { sink: name, points: points.length, error: first.error.message, line: first.line };
    const message = `${points.length} point(s) InfluxDB will not store, and no deadLetters output: they are dropped`;
    if (logger) logger.error(fields, message);
    else
      process.emitWarning(`${message}; the first: ${first.error.message}`, {
        code: 'TRIBUTARY_POINT_REJECTED',
      });
  };

  const writer = new BatchWriter<StreamRecord<K, V>>({
    batchSize,
    flushIntervalMs,
    lanes,
    retry,
    send: transport.send,
    refused: (lines: readonly RefusedLine<StreamRecord<K, V>>[]) =>
      reject(
        lines.map(({ item, line, status, reason }) => ({
          value: item.value,
          line,
          error: pointRejected(item, status, reason),
        })),
        lines.map((l) => l.item),
      ),
    events: {
      written: (n) => {
        written += n;
        metrics.influxPoints.inc({ sink: name, outcome: 'written' }, n);
      },
      answered: (_, ms) => metrics.influxWriteDuration.observe({ sink: name }, ms / 1_000),
      retrying: (failure, delayMs, failures) => {
        retries++;
        metrics.influxRetries.inc({ sink: name, status: failure.status ?? 'none' });
        // The first failure of a run of them, then every tenth: an outage should not flood the log.
        if (failures === 1 || failures % 10 === 0) {
          logger?.warn(
            { sink: name, failures, delayMs, failure: describeFailure(failure), pending: writer.pending() },
            'InfluxDB did not take a write; sending it again',
          );
        }
      },
      recovered: (failures) =>
        logger?.warn({ sink: name, failures, pending: writer.pending() }, 'InfluxDB takes writes again'),
    },
  });

  return {
    name,
    write: (records) => {
      let invalid: RejectedPoint<V>[] | undefined;
      let invalidRecords: StreamRecord<K, V>[] | undefined;
      for (const r of records) {
        const line = encode(r);
        if (typeof line === 'string') {
          writer.add(line, r);
        } else {
          (invalid ??= []).push({ value: r.value, error: line });
          (invalidRecords ??= []).push(r);
        }
      }
      if (invalid) reject(invalid, invalidRecords!);
    },
    flush: async () => {
      await writer.flush();
      if (!deadLetters) return;
      const failed = deliver(deadLetters);
      if (failed !== undefined) {
        throw new TributaryException({
          _tag: 'TributaryError',
          code: 'SINK_FAILED',
          message: `the dead-letter output ${deadLetters.name} did not take ${undelivered.length} point(s): ${
            failed instanceof Error ? failed.message : String(failed)
          }`,
          retriable: true,
          cause: failed,
        });
      }
      if (deadLettersUnflushed) {
        deadLettersUnflushed = false;
        try {
          await deadLetters.flush();
        } catch (error) {
          deadLettersUnflushed = true;
          throw error;
        }
      }
    },
    backlog: () => writer.pending() + undelivered.length,
    ...(deadLetters
      ? {}
      : {
          useDeadLetters: (output: Sink<K, unknown>) => {
            deadLetters = output;
          },
        }),
    close: async () => {
      writer.close();
      transport.close();
    },
    stats: () => {
      const failing = writer.failing();
      return {
        pending: writer.pending() + undelivered.length,
        peakPending: writer.peak(),
        written,
        rejected,
        retries,
        ...(failing ? { failing } : {}),
      };
    },
  };
};

const pointRejected = (
  r: StreamRecord<unknown, unknown>,
  status: number,
  reason: string,
): TributaryError => ({
  _tag: 'TributaryError',
  code: 'POINT_REJECTED',
  message: `InfluxDB rejected the point (HTTP ${status}): ${reason}`,
  retriable: false,
  ...(r.origin ? { origin: r.origin } : {}),
});
