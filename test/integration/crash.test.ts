import { test } from 'vitest';
import type { ProcessingGuarantee } from '../../src/index.js';
import { waitFor } from './helpers.js';
import {
  committed,
  exited,
  expectSameWindows,
  readWindows,
  startWorker,
  type WorkerClient,
  windowScenario,
  expectEachWindowOnce,
} from './windowPipeline.js';

const PARTITIONS = 4;
const RECORDS = 100_000;
const KILLS = 5;

const runs: [WorkerClient, ProcessingGuarantee][] = [
  ['kafkajs', 'at-least-once'],
  ['platformatic', 'at-least-once'],
  ['platformatic', 'exactly-once'],
];

test.each(runs)(
  'a hopping-window pipeline on %s, %s, killed with SIGKILL five times gives the results of an uninterrupted run',
  { timeout: 600_000 },
  async (client, guarantee) => {
    const { input, output, applicationId, expected } = await windowScenario(PARTITIONS, RECORDS);

    // Kill the worker five times, each when its committed progress has passed a random point of the input
    // (a point already passed kills it while it restores).
    const marks = Array.from({ length: KILLS }, () => Math.floor(Math.random() * 0.8 * RECORDS)).sort(
      (a, b) => a - b,
    );
    for (const mark of marks) {
      const child = startWorker(applicationId, input, output, client, guarantee);
      await waitFor(async () => (await committed(applicationId, input)) >= mark, {
        what: `progress past ${mark}`,
        timeoutMs: 120_000,
        intervalMs: 20,
      });
      child.kill('SIGKILL');
      await exited(child);
    }

    const last = startWorker(applicationId, input, output, client, guarantee);
    const { results, changed } = await readWindows(output, expected);
    last.kill('SIGTERM');
    await exited(last);

    expectSameWindows({ results, changed }, expected);
    if (guarantee === 'exactly-once') {
      // Read committed, each window is there once: nothing the killed instances emitted after their last
      // checkpoint became visible.
      await expectEachWindowOnce(output);
    }
  },
);
