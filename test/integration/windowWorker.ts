/**
 * A pipeline process for the crash and scale-out tests: keyed hopping-window counts and sums from a topic to a topic,
 * committing every 300 ms. It runs until killed; SIGTERM stops it gracefully.
 *
 *   node --import tsx test/integration/windowWorker.ts <brokers> <application-id> <input> <output> \
 *     [kafkajs|platformatic] [at-least-once|exactly-once] [kafkajs|platformatic]
 */
import * as t from 'io-ts';
import {
  aggregators,
  Application,
  finiteNumber,
  fromField,
  hopping,
  json,
  kafkaTransport,
  platformaticTransport,
  timestampMs,
  type ProcessingGuarantee,
} from '../../src/index.js';
import { createLogger } from '../../src/metrics/index.js';

const [brokers, applicationId, input, output, client = 'kafkajs', guarantee = 'at-least-once'] =
  process.argv.slice(2);
if (!brokers || !applicationId || !input || !output)
  throw new Error('usage: windowWorker <brokers> <app> <in> <out> [kafkajs|platformatic] [guarantee]');

const Reading = t.type({ sensor: t.string, value: finiteNumber, at: timestampMs });
type Reading = t.TypeOf<typeof Reading>;

const app = new Application({
  applicationId,
  transport: (client === 'platformatic' ? platformaticTransport : kafkaTransport)({
    brokers: brokers.split(','),
    consumer: { sessionTimeout: 6_000, heartbeatInterval: 500 },
  }),
  commitInterval: 300,
  processingGuarantee: guarantee as ProcessingGuarantee,
  // Warnings and errors on stderr, which the test shows.
  logger: createLogger({
    app: applicationId,
    level: process.env.WORKER_LOG_LEVEL ?? 'warn',
    destination: process.stderr,
  }),
});
const readings = app.source({
  topic: input,
  value: json(Reading),
  timestamp: fromField((r: Reading) => r.at),
});
const totals = readings
  .selectKey((r) => r.sensor)
  .window(hopping('10s', '5s'))
  .aggregate(
    aggregators.combine({
      count: aggregators.count<Reading>(),
      sum: aggregators.sum((r: Reading) => r.value),
    }),
  );
app.to(totals, app.topicSink(output, { key: json(t.string), value: json(t.unknown) }));

process.on('SIGTERM', () => {
  app.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
await app.start();
process.stdout.write('started\n');
