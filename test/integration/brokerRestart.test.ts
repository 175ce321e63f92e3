import { setTimeout as delay } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { down, up } from '../../scripts/services.mjs';
import { waitFor } from './helpers.js';
import {
  committed,
  exited,
  expectSameWindows,
  readWindows,
  startWorker,
  windowScenario,
} from './windowPipeline.js';

const PARTITIONS = 4;
const RECORDS = 100_000;
/** How long the broker is down: the scenario, not a wait for something to happen. */
const OUTAGE_MS = 20_000;

// Only a broker that the test scripts started can be stopped and started again by the test.
test.skipIf(Boolean(process.env.KAFKA_BROKERS))(
  'the pipeline resumes by itself after the broker is down for 20 s, and nothing is lost',
  { timeout: 600_000 },
  async () => {
    const { input, output, applicationId, expected } = await windowScenario(PARTITIONS, RECORDS);

    const worker = startWorker(applicationId, input, output);
    await waitFor(async () => (await committed(applicationId, input)) >= RECORDS / 4, {
      what: 'a quarter of the input committed',
      timeoutMs: 120_000,
      intervalMs: 20,
    });
    await down({ kafka: true, influx: false, keepData: true });
    await delay(OUTAGE_MS);
    await up({ kafka: true, influx: false });

    const { results, changed } = await readWindows(output, expected);
    expect(worker.exitCode).toBeNull();
    worker.kill('SIGTERM');
    await exited(worker);

    expectSameWindows({ results, changed }, expected);
  },
);
