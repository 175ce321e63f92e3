import type { MetricKind } from './Metrics.js';

/** One metric's name, type, meaning and labels: what a registry needs to create it. */
export interface MetricDefinition {
  readonly name: string;
  readonly kind: MetricKind;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** Histograms: the bucket upper bounds, in the unit the name ends with. */
  readonly buckets?: readonly number[];
}

/** Seconds: a checkpoint or a flush waits for acknowledgements, so it takes milliseconds to many seconds. */
const DURATION_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Milliseconds, dense around the 20 ms p99 target for `updates` results. */
const LATENCY_MS = [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000];

/**
 * The standard Tributary metrics, each defined once: name (Prometheus style, counters end in `_total`,
 * units in the name), type, help text, label names and, for histograms, buckets. The runtime creates them
 * through {@link standardMetrics}; dashboards and alerts can use the names from here too.
 *
 * Labels: `operator` is the operator name (`'hopping-window'`, a user's `name` option), `topic` the
 * source topic of the records, `partition` its partition, `reason` a divert reason (`late`, `future`,
 * `invalid`), `code` an error code (`DECODE_FAILED`, …), `stage` the checkpoint step that failed
 * (`sink-flush`, `changelog`, `producer-flush`, `commit`), `sink` the sink name, `output` the output a
 * latency is measured at, `outcome` what became of a point (`written`, `rejected`, `invalid`), `status` an
 * HTTP status (`none` when no answer came).
 *
 * @example
 * ```ts
 * import { metricNames } from 'tributary/metrics';
 *
 * console.log(metricNames.consumerLag.name, metricNames.consumerLag.kind, metricNames.consumerLag.labelNames);
 * // tributary_consumer_lag_records gauge [ 'topic', 'partition' ]
 * ```
 */
export const metricNames = {
  recordsIn: {
    name: 'tributary_records_in_total',
    kind: 'counter',
    help: 'Records an operator received, by operator and source topic.',
    labelNames: ['operator', 'topic'],
  },
  recordsOut: {
    name: 'tributary_records_out_total',
    kind: 'counter',
    help: 'Records an operator emitted, by operator and source topic.',
    labelNames: ['operator', 'topic'],
  },
  consumerLag: {
    name: 'tributary_consumer_lag_records',
    kind: 'gauge',
    help: 'Records between the committed position and the end of the log, by topic and partition.',
    labelNames: ['topic', 'partition'],
  },
  lateRecords: {
    name: 'tributary_late_records_total',
    kind: 'counter',
    help: 'Records that arrived after every window they belong to had closed, by operator and source topic.',
    labelNames: ['operator', 'topic'],
  },
  diverted: {
    name: 'tributary_diverted_records_total',
    kind: 'counter',
    help: 'Records taken off the main stream to the side output, by operator and reason (late, future, invalid).',
    labelNames: ['operator', 'reason'],
  },
  deadLettered: {
    name: 'tributary_dead_lettered_records_total',
    kind: 'counter',
    help: 'Records written to a dead-letter topic and acknowledged, by source topic and error code.',
    labelNames: ['topic', 'code'],
  },
  decodeFailures: {
    name: 'tributary_decode_failures_total',
    kind: 'counter',
    help: 'Records whose key, value or timestamp failed to decode, by source topic.',
    labelNames: ['topic'],
  },
  checkpointDuration: {
    name: 'tributary_checkpoint_duration_seconds',
    kind: 'histogram',
    help: 'Duration of successful checkpoints (sink flush, changelog, producer flush, offset commit), in seconds.',
    labelNames: [],
    buckets: DURATION_SECONDS,
  },
  checkpointFailures: {
    name: 'tributary_checkpoint_failures_total',
    kind: 'counter',
    help: 'Checkpoints aborted before committing, by the step that failed.',
    labelNames: ['stage'],
  },
  sinkFlushDuration: {
    name: 'tributary_sink_flush_duration_seconds',
    kind: 'histogram',
    help: 'Duration of sink flushes until acknowledged, by sink, in seconds.',
    labelNames: ['sink'],
    buckets: DURATION_SECONDS,
  },
  sinkBuffered: {
    name: 'tributary_sink_buffered_records',
    kind: 'gauge',
    help: 'Records a sink holds that are not yet acknowledged, by sink.',
    labelNames: ['sink'],
  },
  influxWriteDuration: {
    name: 'tributary_influx_write_duration_seconds',
    kind: 'histogram',
    help: 'Duration of InfluxDB write requests until the server answered, by sink, in seconds.',
    labelNames: ['sink'],
    buckets: DURATION_SECONDS,
  },
  influxPoints: {
    name: 'tributary_influx_points_total',
    kind: 'counter',
    help: 'Points an InfluxDB sink settled, by sink and outcome (written, rejected by the server, invalid).',
    labelNames: ['sink', 'outcome'],
  },
  influxRetries: {
    name: 'tributary_influx_write_retries_total',
    kind: 'counter',
    help: 'InfluxDB write requests sent again after no answer, a 429 or a 5xx, by sink and HTTP status (none: no answer).',
    labelNames: ['sink', 'status'],
  },
  endToEndLatency: {
    name: 'tributary_end_to_end_latency_milliseconds',
    kind: 'histogram',
    help: 'Time from a record arriving at a source to its result being emitted, by output, in milliseconds.',
    labelNames: ['output'],
    buckets: LATENCY_MS,
  },
} as const satisfies Readonly<Record<string, MetricDefinition>>;
