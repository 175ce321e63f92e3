import { expect, onTestFinished, test } from 'vitest';
import { createTopic, kafkaClient, uniqueName, waitFor, withAdmin } from './helpers.js';

const RECORDS = 10_000;
const PARTITIONS = 4;
const BATCH = 1_000;

test('10,000 keyed records go through a consumer group, and its committed offsets reach the end', async () => {
  const topic = await createTopic(PARTITIONS);
  const groupId = uniqueName();
  const client = kafkaClient();
  const records = Array.from({ length: RECORDS }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` }));

  const producer = client.producer();
  await producer.connect();
  onTestFinished(() => producer.disconnect());
  for (let start = 0; start < RECORDS; start += BATCH) {
    await producer.send({ topic, acks: -1, messages: records.slice(start, start + BATCH) });
  }

  const received = new Map<string, string>();
  let deliveries = 0;
  const consumer = client.consumer({ groupId });
  await consumer.connect();
  onTestFinished(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      deliveries += 1;
      received.set(String(message.key), String(message.value));
    },
  });

  await waitFor(() => received.size === RECORDS, { timeoutMs: 60_000, what: `${RECORDS} records consumed` });
  expect(deliveries).toBe(RECORDS);
  expect(received).toEqual(new Map(records.map(({ key, value }) => [key, value])));

  const endOffsets = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
  const expected = endOffsets.map(({ partition, offset }) => ({ partition, offset })).sort(byPartition);
  expect(expected.reduce((sum, { offset }) => sum + Number(offset), 0)).toBe(RECORDS);
  // KafkaJS commits asynchronously after each batch: poll the group's offsets until they reach the end.
  await expect
    .poll(() => committedOffsets(groupId, topic), { timeout: 30_000, interval: 100 })
    .toEqual(expected);
});

async function committedOffsets(groupId: string, topic: string) {
  const [offsets] = await withAdmin((admin) => admin.fetchOffsets({ groupId, topics: [topic] }));
  return (offsets?.partitions ?? [])
    .map(({ partition, offset }) => ({ partition, offset }))
    .sort(byPartition);
}

function byPartition(a: { partition: number }, b: { partition: number }): number {
  return a.partition - b.partition;
}
