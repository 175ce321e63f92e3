import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, onTestFinished } from 'vitest';
import type { ProcessingGuarantee } from '../../src/index.js';
import { createTopic, kafkaClient, services, uniqueName, waitFor, withAdmin } from './helpers.js';

/** What the worker (`windowWorker.ts`) computes per sensor and 10 s / 5 s hopping window. */
export interface Totals {
  readonly count: number;
  readonly sum: number;
}

// Recent event times: the output records carry them, and retention would delete old ones.
const START = Math.floor(Date.now() / 60_000) * 60_000 - 2 * 3_600_000;
const STEP_MS = 10;

/**
 * Produces `records` readings of `sensors` sensors (keyed by sensor) and a far-future reading on every
 * partition that closes every window of the data; returns the totals the windows must have.
 */
export async function produceReadings(
  topic: string,
  partitions: number,
  records: number,
  sensors: number,
): Promise<Map<string, Totals>> {
  const expected = new Map<string, Totals>();
  const messages: { key: string; value: string }[] = [];
  for (let i = 0; i < records; i++) {
    const sensor = `sensor-${i % sensors}`;
    const at = START + i * STEP_MS;
    const value = (i % 97) + 0.5;
    messages.push({ key: sensor, value: JSON.stringify({ sensor, value, at }) });
    const last = Math.floor(at / 5_000) * 5_000;
    for (const start of [last, last - 5_000]) {
      const w = expected.get(`${sensor}@${start}`) ?? { count: 0, sum: 0 };
      expected.set(`${sensor}@${start}`, { count: w.count + 1, sum: w.sum + value });
    }
  }
  const producer = kafkaClient().producer();
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 2_000) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 2_000) });
    }
    const closer = JSON.stringify({ sensor: 'closer', value: 0, at: START + 86_400_000 });
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: partitions }, (_, partition) => ({
        partition,
        key: 'closer',
        value: closer,
      })),
    });
  } finally {
    await producer.disconnect();
  }
  return expected;
}

const worker = fileURLToPath(new URL('./windowWorker.ts', import.meta.url));

/** The Kafka client a worker runs on. */
export type WorkerClient = 'kafkajs' | 'platformatic';

/** Starts a worker process; the test kills it at the end if it still runs. */
export function startWorker(
  applicationId: string,
  input: string,
  output: string,
  client: WorkerClient = 'kafkajs',
  guarantee: ProcessingGuarantee = 'at-least-once',
): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', worker, services().KAFKA_BROKERS, applicationId, input, output, client, guarantee],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

export const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/** How many input records the application has committed. */
export async function committed(applicationId: string, topic: string): Promise<number> {
  const [offsets] = await withAdmin((admin) =>
    admin.fetchOffsets({ groupId: applicationId, topics: [topic] }),
  );
  return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/** Each partition's committed offset of the group, and the partition's end offset. */
export async function commitsAndEnds(
  applicationId: string,
  topic: string,
): Promise<{ partition: number; committed: bigint; end: bigint }[]> {
  const [offsets] = await withAdmin((admin) =>
    admin.fetchOffsets({ groupId: applicationId, topics: [topic] }),
  );
  const committedBy = new Map((offsets?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  const ends = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
  return ends.map((e) => ({
    partition: e.partition,
    committed: committedBy.get(e.partition) ?? -1n,
    end: BigInt(e.high),
  }));
}

/** Deletes the application's group and internal topics when the test finishes. */
export function cleanUpApplication(applicationId: string, input: string): void {
  onTestFinished(() =>
    withAdmin(async (admin) => {
      await admin.deleteGroups([applicationId]).catch(() => undefined);
      const internal = (await admin.listTopics()).filter(
        (n) => n.startsWith(`${applicationId}-`) || n === `${input}.dlq`,
      );
      await admin.deleteTopics({ topics: internal });
    }),
  );
}

/**
 * Reads the output topic until every expected window is there. Returns the windows (the last result of
 * each) and the windows that were emitted again with a different result, which at-least-once forbids.
 */
export async function readWindows(
  output: string,
  expected: ReadonlyMap<string, Totals>,
): Promise<{ results: Map<string, Totals>; changed: string[] }> {
  const results = new Map<string, Totals>();
  const changed: string[] = [];
  const consumer = kafkaClient().consumer({ groupId: uniqueName() });
  await consumer.connect();
  onTestFinished(() => consumer.disconnect());
  await consumer.subscribe({ topic: output, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const window = JSON.parse(String(message.value)) as { window?: { start: number }; value: Totals };
      // An end marker of countEmitted.
      if (window.window === undefined) return;
      const id = `${JSON.parse(String(message.key)) as string}@${window.window.start}`;
      const before = results.get(id);
      if (before && JSON.stringify(before) !== JSON.stringify(window.value)) {
        changed.push(`${id}: ${JSON.stringify(before)} then ${JSON.stringify(window.value)}`);
      }
      results.set(id, window.value);
    },
  });
  const count = expected.size;
  await waitFor(() => results.size >= count, {
    what: `${count} windows in ${output} (so far ${results.size})`,
    timeoutMs: 120_000,
  }).catch((error: unknown) => {
    const missing = [...expected.keys()].filter((id) => !results.has(id));
    throw new Error(
      `only ${results.size} of ${count} windows arrived; missing ${missing.slice(0, 20).join(', ')}`,
      { cause: error },
    );
  });
  return { results, changed };
}

/** Every expected window, with its count and sum, and no window emitted twice with different results. */
export function expectSameWindows(
  { results, changed }: { results: Map<string, Totals>; changed: string[] },
  expected: Map<string, Totals>,
): void {
  expect(changed).toEqual([]);
  expect(results.size).toBe(expected.size);
  for (const [id, value] of expected) {
    expect(results.get(id)?.count, id).toBe(value.count);
    expect(results.get(id)?.sum, id).toBeCloseTo(value.sum, 6);
  }
}

/**
 * How often each window was emitted to `output`, as a `read_committed` reader sees the whole topic: a
 * marker appended now, after every writer stopped, says where the topic ends.
 */
export async function countEmitted(output: string): Promise<Map<string, number>> {
  const end = uniqueName();
  const producer = kafkaClient().producer();
  await producer.connect();
  const marker = JSON.stringify({ end });
  await producer.send({ topic: output, acks: -1, messages: [{ key: JSON.stringify('end'), value: marker }] });
  await producer.disconnect();
  const counts = new Map<string, number>();
  let done = false;
  const consumer = kafkaClient().consumer({ groupId: uniqueName() });
  await consumer.connect();
  onTestFinished(() => consumer.disconnect());
  await consumer.subscribe({ topic: output, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (String(message.value) === marker) {
        done = true;
        return;
      }
      const window = JSON.parse(String(message.value)) as { window: { start: number } };
      const id = `${JSON.parse(String(message.key)) as string}@${window.window.start}`;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    },
  });
  await waitFor(() => done, { what: `the end of ${output}`, timeoutMs: 60_000 });
  return counts;
}

/**
 * The setup of a window-pipeline test: an input topic of `partitions` with `records` readings of 16 sensors,
 * an output topic, and an application id whose group and internal topics are deleted when the test ends.
 */
export async function windowScenario(
  partitions: number,
  records: number,
): Promise<{ input: string; output: string; applicationId: string; expected: Map<string, Totals> }> {
  const input = await createTopic(partitions);
  const output = await createTopic(1);
  const applicationId = uniqueName();
  cleanUpApplication(applicationId, input);
  const expected = await produceReadings(input, partitions, records, 16);
  return { input, output, applicationId, expected };
}

/** Read committed, every window of the data is in `output` once (the closing reading's windows aside). */
export async function expectEachWindowOnce(output: string): Promise<void> {
  const twice = [...(await countEmitted(output))].filter(([id, n]) => n > 1 && !id.startsWith('closer'));
  expect(twice).toEqual([]);
}
