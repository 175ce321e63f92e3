import { expect, test } from 'vitest';
import type { ProcessingGuarantee } from '../../src/index.js';
import { waitFor, withAdmin } from './helpers.js';
import {
  commitsAndEnds,
  committed,
  exited,
  expectSameWindows,
  readWindows,
  startWorker,
  type WorkerClient,
  windowScenario,
  expectEachWindowOnce,
} from './windowPipeline.js';

const PARTITIONS = 6;
const RECORDS = 100_000;

const runs: [WorkerClient, ProcessingGuarantee][] = [
  ['kafkajs', 'at-least-once'],
  ['platformatic', 'exactly-once'],
];

test.each(runs)(
  'two instances on %s, %s, share the partitions; when one stops mid-stream the other takes over its state',
  { timeout: 600_000 },
  async (client, guarantee) => {
    const { input, output, applicationId, expected } = await windowScenario(PARTITIONS, RECORDS);

    const first = startWorker(applicationId, input, output, client, guarantee);
    const second = startWorker(applicationId, input, output, client, guarantee);
    await waitFor(
      async () => {
        const [group] = (await withAdmin((admin) => admin.describeGroups([applicationId]))).groups;
        return group?.state === 'Stable' && group.members.length === 2;
      },
      { what: 'both instances in the group', timeoutMs: 60_000 },
    );
    // Stop one gracefully once a third of the input is committed: its partitions move to the other.
    await waitFor(async () => (await committed(applicationId, input)) >= RECORDS / 3, {
      what: 'a third of the input committed',
      timeoutMs: 120_000,
      intervalMs: 20,
    });
    second.kill('SIGTERM');
    await exited(second);
    expect(second.exitCode).toBe(0);

    const { results, changed } = await readWindows(output, expected);
    // The remaining instance reads every partition now: its checkpoints carry each one to its end.
    await waitFor(
      async () => (await commitsAndEnds(applicationId, input)).every((p) => p.committed === p.end),
      { what: 'every partition committed to its end', timeoutMs: 120_000, intervalMs: 200 },
    );
    first.kill('SIGTERM');
    await exited(first);
    expect(first.exitCode).toBe(0);

    expectSameWindows({ results, changed }, expected);
    if (guarantee === 'exactly-once') {
      await expectEachWindowOnce(output);
    }
    // The final checkpoint moved no commit: every partition stays committed at its end.
    const commits = await commitsAndEnds(applicationId, input);
    expect(commits).toHaveLength(PARTITIONS);
    for (const p of commits) expect(p.committed, `partition ${p.partition}`).toBe(p.end);
  },
);
