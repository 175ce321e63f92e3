import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, onTestFinished, test } from 'vitest';
import { createTopic, kafkaClient, services, uniqueName, waitFor, withAdmin } from './helpers.js';

const PARTITIONS = 4;
const SENSORS = 16;
const RECORDS = 100_000;
const KILLS = 5;
const STEP_MS = 10; // event time between consecutive readings of the input
// Recent event times: the output records carry them, and retention would delete old ones.
const START = Math.floor(Date.now() / 60_000) * 60_000 - 2 * 3_600_000;

const worker = fileURLToPath(new URL('./crashWorker.ts', import.meta.url));

function startWorker(applicationId: string, input: string, output: string): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', worker, services().KAFKA_BROKERS, applicationId, input, output],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

test(
  'a hopping-window pipeline killed with SIGKILL five times gives the results of an uninterrupted run',
  { timeout: 600_000 },
  async () => {
    const input = await createTopic(PARTITIONS);
    const output = await createTopic(1);
    const applicationId = uniqueName();
    onTestFinished(() =>
      withAdmin(async (admin) => {
        await admin.deleteGroups([applicationId]).catch(() => undefined);
        const internal = (await admin.listTopics()).filter(
          (n) => n.startsWith(`${applicationId}-`) || n === `${input}.dlq`,
        );
        await admin.deleteTopics({ topics: internal });
      }),
    );

    // The readings, and the windows they make: every reading is in two hopping windows of 10 s / 5 s.
    const expected = new Map<string, { count: number; sum: number }>();
    const messages: { key: string; value: string }[] = [];
    for (let i = 0; i < RECORDS; i++) {
      const sensor = `sensor-${i % SENSORS}`;
      const at = START + i * STEP_MS;
      const value = (i % 97) + 0.5;
      messages.push({ key: sensor, value: JSON.stringify({ sensor, value, at }) });
      for (const start of [Math.floor(at / 5_000) * 5_000, Math.floor(at / 5_000) * 5_000 - 5_000]) {
        const w = expected.get(`${sensor}@${start}`) ?? { count: 0, sum: 0 };
        expected.set(`${sensor}@${start}`, { count: w.count + 1, sum: w.sum + value });
      }
    }
    const producer = kafkaClient().producer();
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    for (let i = 0; i < messages.length; i += 2_000) {
      await producer.send({ topic: input, acks: -1, messages: messages.slice(i, i + 2_000) });
    }
    // A far-future reading on every partition closes every window of the data.
    const closer = JSON.stringify({ sensor: 'closer', value: 0, at: START + 86_400_000 });
    await producer.send({
      topic: input,
      acks: -1,
      messages: Array.from({ length: PARTITIONS }, (_, partition) => ({
        partition,
        key: 'closer',
        value: closer,
      })),
    });

    // Kill the worker five times, each when its committed progress passed a random point of the input.
    const progress = async (): Promise<number> => {
      const [offsets] = await withAdmin((admin) =>
        admin.fetchOffsets({ groupId: applicationId, topics: [input] }),
      );
      return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    };
    const marks = Array.from({ length: KILLS }, () => Math.floor(Math.random() * 0.8 * RECORDS)).sort(
      (a, b) => a - b,
    );
    for (const mark of marks) {
      const child = startWorker(applicationId, input, output);
      await waitFor(async () => (await progress()) >= mark, {
        what: `progress past ${mark}`,
        timeoutMs: 120_000,
        intervalMs: 20,
      });
      child.kill('SIGKILL');
      await exited(child);
    }

    // The last run finishes the input; read the results.
    const last = startWorker(applicationId, input, output);
    const results = new Map<string, { count: number; sum: number }>();
    const changed: string[] = [];
    const consumer = kafkaClient().consumer({ groupId: uniqueName() });
    await consumer.connect();
    onTestFinished(() => consumer.disconnect());
    await consumer.subscribe({ topic: output, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const window = JSON.parse(String(message.value)) as {
          window: { start: number };
          value: { count: number; sum: number };
        };
        const id = `${JSON.parse(String(message.key)) as string}@${window.window.start}`;
        const before = results.get(id);
        // At least once: a window emitted again after a crash must have the same result.
        if (before && JSON.stringify(before) !== JSON.stringify(window.value)) {
          changed.push(`${id}: ${JSON.stringify(before)} then ${JSON.stringify(window.value)}`);
        }
        results.set(id, window.value);
      },
    });
    await waitFor(() => results.size >= expected.size, {
      what: `${expected.size} windows`,
      timeoutMs: 240_000,
    });
    last.kill('SIGTERM');
    await exited(last);

    expect(changed).toEqual([]);
    expect(results.size).toBe(expected.size);
    for (const [id, value] of expected) {
      const got = results.get(id);
      expect(got?.count, id).toBe(value.count);
      expect(got?.sum, id).toBeCloseTo(value.sum, 6);
    }
  },
);
