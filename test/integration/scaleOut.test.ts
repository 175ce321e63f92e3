import { expect, test } from 'vitest';
import type { ProcessingGuarantee } from '../../src/index.js';
import { waitFor, withAdmin } from './helpers.js';
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
    first.kill('SIGTERM');
    await exited(first);
    expect(first.exitCode).toBe(0);

    expectSameWindows({ results, changed }, expected);
    if (guarantee === 'exactly-once') {
      await expectEachWindowOnce(output);
    }
    // Every partition has a commit, none past its end: a restart resumes inside the input. (A handover
    // during the graceful stops can leave a partition's last commit behind its end; the state stays
    // consistent with it, and a restart reads that rest again.)
    const [offsets] = await withAdmin((admin) =>
      admin.fetchOffsets({ groupId: applicationId, topics: [input] }),
    );
    const ends = new Map(
      (await withAdmin((admin) => admin.fetchTopicOffsets(input))).map((e) => [e.partition, BigInt(e.high)]),
    );
    expect(offsets?.partitions).toHaveLength(PARTITIONS);
    for (const p of offsets?.partitions ?? []) {
      expect(BigInt(p.offset), `partition ${p.partition}`).toBeGreaterThan(0n);
      expect(BigInt(p.offset), `partition ${p.partition}`).toBeLessThanOrEqual(ends.get(p.partition)!);
    }
  },
);
