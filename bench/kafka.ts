/**
 * Kafka benchmark (`npm run bench:kafka`), against the local broker (started by the service scripts if
 * KAFKA_BROKERS is not set), in one run:
 *
 * (a) raw KafkaJS: a consumer group's `eachBatch` reads N JSON trades and does nothing with them;
 * (b) Tributary: the same trades, consumed → decoded (io-ts) → filtered → keyed → hopping 30 s / 5 s mean
 *     → produced to an output topic, checkpointing every 5 s.
 *
 * Throughput is measured from the first batch to the N-th record; latency is the time to handle one
 * fetched batch. Prints a table, then as its last line one JSON object:
 * `{"bench":"kafka","raw_rps":…,"ours_rps":…,"ratio":…,"ours_p99_ms":…,"cpu_s_per_m":…}`.
 *
 * Options (environment): BENCH_KAFKA_RECORDS (default 500000).
 */
import { randomUUID } from 'node:crypto';
import * as t from 'io-ts';
import { Kafka, logLevel } from 'kafkajs';
import { down, up } from '../scripts/services.mjs';
import {
  aggregators,
  Application,
  fromField,
  hopping,
  json,
  kafkaTransport,
  NumberFromString,
  timestampMs,
  type LogTransport,
} from '../src/index.js';
import { percentile, printTable, type Measurement } from './measure.js';

const RECORDS = Number(process.env.BENCH_KAFKA_RECORDS ?? 500_000);
const PARTITIONS = 4;
const SYMBOLS = Array.from({ length: 16 }, (_, i) => `SYM${i}USDT`);

const Trade = t.type({
  e: t.literal('trade'),
  s: t.string,
  p: NumberFromString,
  q: NumberFromString,
  T: timestampMs,
  m: t.boolean,
});
type Trade = t.TypeOf<typeof Trade>;

/** One phase's timings: from its first batch to its last record, CPU over the same span. */
class Phase {
  private first = 0;
  private cpu = process.cpuUsage();
  private done = 0;
  private finished: (() => void) | undefined;
  readonly batchMs: number[] = [];
  readonly complete = new Promise<void>((resolve) => (this.finished = resolve));
  seconds = 0;
  cpuSeconds = 0;

  batch(records: number, ms: number): void {
    if (this.first === 0) {
      this.first = performance.now() - ms;
      this.cpu = process.cpuUsage();
    }
    this.batchMs.push(ms);
    this.done += records;
    if (this.done >= RECORDS && this.seconds === 0) {
      this.seconds = (performance.now() - this.first) / 1000;
      const used = process.cpuUsage(this.cpu);
      this.cpuSeconds = (used.user + used.system) / 1e6;
      this.finished?.();
    }
  }

  measurement(name: string): Measurement {
    const sorted = [...this.batchMs].sort((a, b) => a - b);
    return {
      name,
      records: RECORDS,
      seconds: this.seconds,
      recordsPerSecond: RECORDS / this.seconds,
      cpuSecondsPerMillion: this.cpuSeconds / (RECORDS / 1e6),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? NaN,
    };
  }
}

async function produceTrades(kafka: Kafka, topic: string): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  const start = Date.now() - 3_600_000;
  const prices = SYMBOLS.map((_, i) => 100 * (i + 1));
  for (let i = 0; i < RECORDS; i += 5_000) {
    const messages = [];
    for (let j = i; j < Math.min(i + 5_000, RECORDS); j++) {
      const s = j % SYMBOLS.length;
      prices[s] = prices[s]! * (1 + ((j % 7) - 3) * 0.0001);
      messages.push({
        key: SYMBOLS[s]!,
        value: JSON.stringify({
          e: 'trade',
          s: SYMBOLS[s],
          p: prices[s]!.toFixed(8),
          q: '0.01000000',
          T: start + j,
          m: j % 2 === 0,
        }),
      });
    }
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
}

async function raw(kafka: Kafka, topic: string): Promise<Measurement> {
  const phase = new Phase();
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const started = performance.now();
      phase.batch(batch.messages.length, performance.now() - started);
    },
  });
  await phase.complete;
  await consumer.disconnect();
  return phase.measurement('raw KafkaJS eachBatch (no work)');
}

/** Times every batch the application handles. */
const timed = (transport: LogTransport, phase: Phase): LogTransport => ({
  ...transport,
  consumer: (groupId, topics) => {
    const consumer = transport.consumer(groupId, topics);
    return {
      ...consumer,
      seek: (tp, offset) => consumer.seek(tp, offset),
      pause: (ps) => consumer.pause(ps),
      resume: (ps) => consumer.resume(ps),
      commit: (offsets) => consumer.commit(offsets),
      committed: (topic) => consumer.committed(topic),
      stop: () => consumer.stop(),
      run: (handlers) =>
        consumer.run({
          ...handlers,
          batch: async (batch) => {
            const started = performance.now();
            await handlers.batch(batch);
            phase.batch(batch.records.length, performance.now() - started);
          },
        }),
    };
  },
});

async function ours(brokers: string[], topic: string, output: string): Promise<Measurement> {
  const phase = new Phase();
  const app = new Application({
    applicationId: `bench-ours-${randomUUID()}`,
    transport: timed(kafkaTransport({ brokers }), phase),
  });
  const trades = app.source({ topic, value: json(Trade), timestamp: fromField((trade: Trade) => trade.T) });
  const means = trades
    .filter((trade) => trade.p > 0)
    .selectKey((trade) => trade.s)
    .window(hopping('30s', '5s'))
    .aggregate(aggregators.mean((trade: Trade) => trade.p));
  app.to(means, app.topicSink(output, { key: json(t.string), value: json(t.unknown) }));
  await app.start();
  await phase.complete;
  await app.stop();
  return phase.measurement('tributary: consume → decode → filter → key → hopping 30s/5s mean → produce');
}

async function main(): Promise<void> {
  const started = process.env.KAFKA_BROKERS ? undefined : await up({ kafka: true, influx: false });
  const brokers = (process.env.KAFKA_BROKERS ?? started!.env.KAFKA_BROKERS!).split(',');
  const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `bench-trades-${randomUUID()}`;
  const output = `bench-means-${randomUUID()}`;
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic, numPartitions: PARTITIONS },
        { topic: output, numPartitions: 1 },
      ],
    });
    await produceTrades(kafka, topic);
    const rows = [await raw(kafka, topic), await ours(brokers, topic, output)];
    printTable(
      rows,
      `${RECORDS} JSON trades on ${PARTITIONS} partitions; latency = time to handle one fetched batch`,
    );
    const [rawRow, oursRow] = rows as [Measurement, Measurement];
    process.stdout.write(
      `${JSON.stringify({
        bench: 'kafka',
        raw_rps: Math.round(rawRow.recordsPerSecond),
        ours_rps: Math.round(oursRow.recordsPerSecond),
        ratio: Number((oursRow.recordsPerSecond / rawRow.recordsPerSecond).toFixed(3)),
        ours_p99_ms: Number(oursRow.p99.toFixed(3)),
        cpu_s_per_m: Number(oursRow.cpuSecondsPerMillion.toFixed(3)),
      })}\n`,
    );
  } finally {
    const internal = (await admin.listTopics()).filter((n) => n.startsWith('bench-'));
    await admin.deleteTopics({ topics: internal }).catch(() => undefined);
    await admin.disconnect();
    if (started?.started.kafka) await down({ kafka: true, influx: false });
  }
}

await main();
