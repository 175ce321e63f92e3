/**
 * Kafka benchmark (`npm run bench:kafka`), against the local broker (started by the service scripts if
 * KAFKA_BROKERS is not set), in one run:
 *
 * (a) raw KafkaJS: a consumer group's `eachBatch` reads N JSON trades and does nothing with them;
 * (a') raw KafkaJS parsing: the same, with only `JSON.parse` of each value — the ceiling of any pipeline
 *     that decodes the records on one thread;
 * (b) raw @platformatic/kafka: a consumer group's message stream (`consume`) reads them, doing nothing;
 * (c) Tributary on KafkaJS (`kafkaTransport`): the same trades, consumed → decoded (io-ts) → filtered →
 *     keyed → hopping 30 s / 5 s mean → produced to an output topic, checkpointing every 5 s;
 * (d) Tributary on @platformatic/kafka (`platformaticTransport`): the same pipeline;
 * (e) Kafka Streams (Java, one stream thread, `bench/kafka-streams/TradeMeans.java`): the same topology,
 *     emitting final windows as (c) and (d) do, and again emitting window updates (its default); skipped,
 *     saying why, without java, javac and mvn.
 *
 * Throughput is measured from the first batch to the N-th record; latency is the time to handle one
 * fetched batch. Each variant runs BENCH_KAFKA_REPEATS times (a new consumer group each time) and the
 * run with the median records/s is shown. Prints a table, then as its last line one JSON object:
 * `{"bench":"kafka","raw_rps":…,"ours_rps":…,"ratio":…,"ours_p99_ms":…,"cpu_s_per_m":…,
 * "raw_parse_rps":…,"ratio_parse":…,"raw_platformatic_rps":…,"ours_platformatic_rps":…,"ratio_platformatic":…,
 * "ours_platformatic_p99_ms":…,"cpu_s_per_m_platformatic":…,"kafka_streams_rps":…,
 * "kafka_streams_updates_rps":…,"cpu_s_per_m_kafka_streams":…,"ours_vs_kafka_streams":…}`, where `ratio` and
 * `ratio_platformatic` are Tributary's rate over raw KafkaJS's, `ratio_parse` is the parsing baseline's
 * over raw KafkaJS's, and `ours_vs_kafka_streams` is Tributary on KafkaJS over Kafka Streams (final
 * windows); the Kafka Streams fields are null when it was skipped.
 *
 * Options (environment): BENCH_KAFKA_RECORDS (default 500000), BENCH_KAFKA_REPEATS (default 1).
 */
import { randomUUID } from 'node:crypto';
import * as t from 'io-ts';
import { Consumer, MessagesStreamModes } from '@platformatic/kafka';
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
  platformaticTransport,
  timestampMs,
  type LogTransport,
} from '../src/index.js';
import { kafkaStreams, missingJdk, prepareKafkaStreams } from './kafkaStreams.js';
import { medianRun, printTable, toMeasurement, type Measurement } from './measure.js';

const RECORDS = Number(process.env.BENCH_KAFKA_RECORDS ?? 500_000);
const REPEATS = Number(process.env.BENCH_KAFKA_REPEATS ?? 1);
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

  /** `records` handled in `ms` (not timed when absent: a raw client's message stream). */
  batch(records: number, ms?: number): void {
    if (this.first === 0) {
      this.first = performance.now() - (ms ?? 0);
      this.cpu = process.cpuUsage();
    }
    if (ms !== undefined) this.batchMs.push(ms);
    this.done += records;
    if (this.done >= RECORDS && this.seconds === 0) {
      this.seconds = (performance.now() - this.first) / 1000;
      const used = process.cpuUsage(this.cpu);
      this.cpuSeconds = (used.user + used.system) / 1e6;
      this.finished?.();
    }
  }

  measurement(name: string): Measurement {
    return toMeasurement(name, RECORDS, this.seconds, this.cpuSeconds, this.batchMs);
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

/**
 * A raw KafkaJS consumer: doing nothing with the records, or only `JSON.parse` of each value (the least
 * any pipeline that decodes JSON on one thread must do).
 */
async function raw(
  kafka: Kafka,
  topic: string,
  { parse }: { readonly parse: boolean },
): Promise<Measurement> {
  const phase = new Phase();
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const started = performance.now();
      if (parse) {
        for (const m of batch.messages) {
          // Reading a field keeps the parse from being optimised away.
          if (typeof (JSON.parse(m.value!.toString()) as { T?: unknown }).T !== 'number') {
            throw new Error(`trade without a time at offset ${m.offset}`);
          }
        }
      }
      phase.batch(batch.messages.length, performance.now() - started);
    },
  });
  await phase.complete;
  await consumer.disconnect();
  return phase.measurement(
    parse ? 'raw KafkaJS eachBatch + JSON.parse of each value' : 'raw KafkaJS eachBatch (no work)',
  );
}

async function rawPlatformatic(brokers: string[], topic: string): Promise<Measurement> {
  const phase = new Phase();
  const consumer = new Consumer({
    groupId: `bench-raw-platformatic-${randomUUID()}`,
    clientId: 'bench',
    bootstrapBrokers: brokers,
    autocommit: false,
  });
  const stream = await consumer.consume({
    topics: [topic],
    mode: MessagesStreamModes.EARLIEST,
    autocommit: false,
  });
  stream.on('data', () => phase.batch(1));
  await phase.complete;
  await stream.close();
  await consumer.close();
  return phase.measurement('raw @platformatic/kafka consume stream (no work)');
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

async function ours(
  transport: LogTransport,
  client: string,
  topic: string,
  output: string,
): Promise<Measurement> {
  const phase = new Phase();
  const app = new Application({
    applicationId: `bench-ours-${randomUUID()}`,
    transport: timed(transport, phase),
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
  return phase.measurement(
    `tributary on ${client}: consume → decode → filter → key → hopping 30s/5s mean → produce`,
  );
}

/** Runs a variant REPEATS times; the run with the median rate. */
async function median(run: () => Promise<Measurement>): Promise<Measurement> {
  const runs: Measurement[] = [];
  for (let i = 0; i < REPEATS; i++) runs.push(await run());
  return medianRun(runs);
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
    const rows = [
      await median(() => raw(kafka, topic, { parse: false })),
      await median(() => raw(kafka, topic, { parse: true })),
      await median(() => rawPlatformatic(brokers, topic)),
      await median(() => ours(kafkaTransport({ brokers }), 'KafkaJS', topic, output)),
      await median(() => ours(platformaticTransport({ brokers }), '@platformatic/kafka', topic, output)),
    ] as const;
    const noJdk = missingJdk();
    const classpath = noJdk === undefined ? await prepareKafkaStreams() : undefined;
    const streamsRows = classpath
      ? ([
          await median(() => kafkaStreams(classpath, brokers, topic, output, RECORDS, 'final')),
          await median(() => kafkaStreams(classpath, brokers, topic, output, RECORDS, 'updates')),
        ] as const)
      : undefined;
    if (noJdk !== undefined) process.stdout.write(`Kafka Streams baseline skipped: ${noJdk}\n`);
    printTable(
      [...rows, ...(streamsRows ?? [])],
      `${RECORDS} JSON trades on ${PARTITIONS} partitions, median of ${REPEATS} run(s); latency = time to handle one fetched batch`,
    );
    const [rawRow, rawParseRow, rawPlatformaticRow, oursRow, oursPlatformaticRow] = rows;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'kafka',
        raw_rps: Math.round(rawRow.recordsPerSecond),
        ours_rps: Math.round(oursRow.recordsPerSecond),
        ratio: Number((oursRow.recordsPerSecond / rawRow.recordsPerSecond).toFixed(3)),
        ours_p99_ms: Number(oursRow.p99.toFixed(3)),
        cpu_s_per_m: Number(oursRow.cpuSecondsPerMillion.toFixed(3)),
        raw_parse_rps: Math.round(rawParseRow.recordsPerSecond),
        ratio_parse: Number((rawParseRow.recordsPerSecond / rawRow.recordsPerSecond).toFixed(3)),
        raw_platformatic_rps: Math.round(rawPlatformaticRow.recordsPerSecond),
        ours_platformatic_rps: Math.round(oursPlatformaticRow.recordsPerSecond),
        ratio_platformatic: Number(
          (oursPlatformaticRow.recordsPerSecond / rawRow.recordsPerSecond).toFixed(3),
        ),
        ours_platformatic_p99_ms: Number(oursPlatformaticRow.p99.toFixed(3)),
        cpu_s_per_m_platformatic: Number(oursPlatformaticRow.cpuSecondsPerMillion.toFixed(3)),
        kafka_streams_rps: streamsRows ? Math.round(streamsRows[0].recordsPerSecond) : null,
        kafka_streams_updates_rps: streamsRows ? Math.round(streamsRows[1].recordsPerSecond) : null,
        cpu_s_per_m_kafka_streams: streamsRows
          ? Number(streamsRows[0].cpuSecondsPerMillion.toFixed(3))
          : null,
        ours_vs_kafka_streams: streamsRows
          ? Number((oursRow.recordsPerSecond / streamsRows[0].recordsPerSecond).toFixed(3))
          : null,
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
