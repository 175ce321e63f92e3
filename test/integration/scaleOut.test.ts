import { expect, test } from 'vitest';
import { createTopic, uniqueName, waitFor, withAdmin } from './helpers.js';
import {
  cleanUpApplication,
  committed,
  exited,
  produceReadings,
  readWindows,
  startWorker,
} from './windowPipeline.js';

const PARTITIONS = 6;
const RECORDS = 100_000;

test(
  'two instances share the partitions; when one stops mid-stream the other takes over its state',
  { timeout: 600_000 },
  async () => {
    const input = await createTopic(PARTITIONS);
    const output = await createTopic(1);
    const applicationId = uniqueName();
    cleanUpApplication(applicationId, input);
    const expected = await produceReadings(input, PARTITIONS, RECORDS, 16);

    const first = startWorker(applicationId, input, output);
    const second = startWorker(applicationId, input, output);
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

    const { results, changed } = await readWindows(output, expected.size);
    first.kill('SIGTERM');
    await exited(first);

    expect(changed).toEqual([]);
    expect(results.size).toBe(expected.size);
    for (const [id, value] of expected) {
      expect(results.get(id)?.count, id).toBe(value.count);
      expect(results.get(id)?.sum, id).toBeCloseTo(value.sum, 6);
    }
    // Everything read is committed, by one instance or the other.
    expect(await committed(applicationId, input)).toBeGreaterThanOrEqual(RECORDS);
  },
);
