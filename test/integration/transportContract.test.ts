import { describe, expect, onTestFinished, test } from 'vitest';
import type {
  ConsumerHandlers,
  LogBatch,
  LogConsumer,
  LogMessage,
  LogTransport,
  TopicPartition,
} from '../../src/checkpoint/LogTransport.js';
import { kafkaTransport } from '../../src/kafka/KafkaTransport.js';
import { partitionForKey } from '../../src/memory/partitionForKey.js';
import { platformaticTransport } from '../../src/platformatic/PlatformaticTransport.js';
import { createTopic, services, uniqueName, waitFor, withAdmin } from './helpers.js';

/** Every Kafka adapter keeps the same contract, checked here against the real broker. */
const adapters: [string, (brokers: string[]) => LogTransport][] = [
  ['KafkaJS', (brokers) => kafkaTransport({ brokers, consumer: GROUP_TIMING })],
  ['@platformatic/kafka', (brokers) => platformaticTransport({ brokers, consumer: GROUP_TIMING })],
];
const GROUP_TIMING = { sessionTimeout: 6_000, heartbeatInterval: 300 };

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));

describe.each(adapters)('the %s transport', (_, create) => {
  const transport = (): LogTransport => {
    const t = create(services().KAFKA_BROKERS.split(','));
    onTestFinished(() => t.close());
    return t;
  };

  /** A consumer that records what it is told; stopped when the test finishes. */
  const member = (
    t: LogTransport,
    groupId: string,
    topic: string,
    onAssigned?: (c: LogConsumer, tps: readonly TopicPartition[]) => void,
  ) => {
    const consumer = t.consumer(groupId, [topic]);
    const seen = {
      batches: [] as LogBatch[],
      owned: new Set<number>(),
      events: [] as string[],
      crashed: undefined as unknown,
    };
    const handlers: ConsumerHandlers = {
      assigned: async (tps) => {
        for (const tp of tps) seen.owned.add(tp.partition);
        seen.events.push(
          `assigned ${tps
            .map((tp) => tp.partition)
            .sort()
            .join(',')}`,
        );
        onAssigned?.(consumer, tps);
      },
      revoked: async (tps) => {
        for (const tp of tps) seen.owned.delete(tp.partition);
        seen.events.push(
          `revoked ${tps
            .map((tp) => tp.partition)
            .sort()
            .join(',')}`,
        );
      },
      batch: async (batch) => {
        expect(seen.owned.has(batch.partition)).toBe(true);
        seen.batches.push(batch);
      },
      crashed: (error) => (seen.crashed = error),
    };
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      await consumer.stop();
    };
    onTestFinished(stop);
    return { consumer, seen, run: () => consumer.run(handlers), stop };
  };

  const readValues = (seen: { batches: LogBatch[] }, partition?: number): string[] =>
    seen.batches
      .filter((b) => partition === undefined || b.partition === partition)
      .flatMap((b) => b.records.map((r) => text(r.value)!));

  const deleteGroup = (groupId: string) =>
    onTestFinished(async () => {
      await withAdmin((admin) => admin.deleteGroups([groupId])).catch(() => undefined);
    });

  test('creates missing topics, compacted ones compacted, and leaves existing ones as they are', async () => {
    const t = transport();
    const existing = await createTopic(2);
    const plain = uniqueName();
    const compacted = uniqueName();
    onTestFinished(() => withAdmin((admin) => admin.deleteTopics({ topics: [plain, compacted] })));
    await t.ensureTopics([
      { topic: existing, partitions: 5 },
      { topic: plain, partitions: 3 },
      { topic: compacted, partitions: 2, compacted: true },
    ]);
    expect(await t.partitions(existing)).toBe(2);
    expect(await t.partitions(plain)).toBe(3);
    expect(await t.partitions(compacted)).toBe(2);
    const policy = await withAdmin((admin) =>
      admin.describeConfigs({
        includeSynonyms: false,
        resources: [plain, compacted].map((name) => ({ type: 2, name, configNames: ['cleanup.policy'] })),
      }),
    );
    const policies = Object.fromEntries(
      policy.resources.map((r) => [r.resourceName, r.configEntries[0]?.configValue]),
    );
    expect(policies).toEqual({ [plain]: 'delete', [compacted]: 'compact' });
    // Asking again for a topic that exists is no error.
    await t.ensureTopics([{ topic: plain, partitions: 3 }]);
  });

  test('appends records and reads a partition back: keys, values, tombstones, headers, times, offsets', async () => {
    const t = transport();
    const topic = await createTopic(2);
    const producer = await t.producer();
    onTestFinished(() => producer.close());
    const messages: LogMessage[] = Array.from({ length: 2_000 }, (_, i) => ({
      key: i % 10 === 0 ? null : bytes(`k${i}`),
      value: i % 7 === 0 ? null : bytes(`v${i}`),
      headers: i % 3 === 0 ? { origin: bytes(`h${i}`), kind: 'text' } : {},
      timestamp: 1_700_000_000_000 + i,
      partition: i % 2,
    }));
    await producer.send(topic, messages);

    const ends = await t.endOffsets(topic);
    expect([...ends].sort((a, b) => a.partition - b.partition)).toEqual([
      { topic, partition: 0, offset: '1000' },
      { topic, partition: 1, offset: '1000' },
    ]);
    const read = await t.readPartition(topic, 1);
    expect(read).toHaveLength(1_000);
    read.forEach((r, n) => {
      const i = 2 * n + 1;
      expect({
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
        key: text(r.key),
        value: text(r.value),
        headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, text(v)])),
        timestamp: r.timestamp,
      }).toEqual({
        topic,
        partition: 1,
        offset: String(n),
        key: i % 10 === 0 ? null : `k${i}`,
        value: i % 7 === 0 ? null : `v${i}`,
        headers: i % 3 === 0 ? { origin: `h${i}`, kind: 'text' } : {},
        timestamp: 1_700_000_000_000 + i,
      });
    });
    const tail = await t.readPartition(topic, 0, '990');
    expect(tail.map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, n) => String(990 + n)));
    expect(await t.readPartition(topic, 0, '1000')).toEqual([]);
  });

  test("a keyed record without a partition lands where Kafka's default partitioner puts it", async () => {
    const t = transport();
    const topic = await createTopic(6);
    const producer = await t.producer();
    onTestFinished(() => producer.close());
    const keys = Array.from({ length: 60 }, (_, i) => `symbol-${i}`);
    await producer.send(
      topic,
      keys.map((k) => ({ key: bytes(k), value: bytes(k) })),
    );
    for (let partition = 0; partition < 6; partition++) {
      const read = await t.readPartition(topic, partition);
      for (const r of read) expect(partitionForKey(r.key!, 6)).toBe(partition);
    }
  });

  test('a group member reads every partition in order from the beginning, then from its commits', async () => {
    const t = transport();
    const topic = await createTopic(3);
    const groupId = uniqueName();
    deleteGroup(groupId);
    const producer = await t.producer();
    onTestFinished(() => producer.close());
    await producer.send(
      topic,
      Array.from({ length: 3_000 }, (_, i) => ({ key: null, value: bytes(`v${i}`), partition: i % 3 })),
    );

    const first = member(t, groupId, topic);
    await first.run();
    await waitFor(() => first.seen.batches.reduce((n, b) => n + b.records.length, 0) >= 3_000, {
      what: 'every record read',
    });
    expect(first.seen.events).toEqual(['assigned 0,1,2']);
    for (let p = 0; p < 3; p++) {
      expect(readValues(first.seen, p)).toEqual(Array.from({ length: 1_000 }, (_, n) => `v${3 * n + p}`));
      const last = first.seen.batches.filter((b) => b.partition === p).at(-1)!;
      expect(last.highWatermark).toBe('1000');
    }
    await first.consumer.commit([
      { topic, partition: 0, offset: '1000' },
      { topic, partition: 1, offset: '400' },
    ]);
    expect([...(await first.consumer.committed(topic))].sort((a, b) => a.partition - b.partition)).toEqual([
      { topic, partition: 0, offset: '1000' },
      { topic, partition: 1, offset: '400' },
    ]);
    await first.stop();

    // The next member of the group goes on from the committed offsets (the beginning where there is none).
    await producer.send(topic, [{ key: null, value: bytes('late'), partition: 0 }]);
    const second = member(t, groupId, topic);
    await second.run();
    await waitFor(() => second.seen.batches.reduce((n, b) => n + b.records.length, 0) >= 1 + 600 + 1_000, {
      what: 'the records after the commits',
    });
    expect(readValues(second.seen, 0)).toEqual(['late']);
    expect(second.seen.batches.find((b) => b.partition === 1)?.records[0]?.offset).toBe('400');
    expect(readValues(second.seen, 2)).toHaveLength(1_000);
  });

  test('a seek while partitions are assigned, and pause and resume, choose what is read', async () => {
    const t = transport();
    const topic = await createTopic(2);
    const groupId = uniqueName();
    deleteGroup(groupId);
    const producer = await t.producer();
    onTestFinished(() => producer.close());
    await producer.send(
      topic,
      Array.from({ length: 200 }, (_, i) => ({ key: null, value: bytes(`v${i}`), partition: i % 2 })),
    );

    const reader = member(t, groupId, topic, (consumer, tps) => {
      for (const tp of tps) if (tp.partition === 0) consumer.seek(tp, '90');
      consumer.pause(tps.filter((tp) => tp.partition === 1));
    });
    await reader.run();
    await waitFor(() => readValues(reader.seen, 0).length >= 10, { what: 'partition 0 from offset 90' });
    expect(readValues(reader.seen, 0)).toEqual(Array.from({ length: 10 }, (_, n) => `v${2 * (90 + n)}`));
    // Partition 1 stays paused while partition 0 goes on.
    await producer.send(topic, [{ key: null, value: bytes('more'), partition: 0 }]);
    await waitFor(() => readValues(reader.seen, 0).includes('more'), { what: 'a new record of partition 0' });
    expect(readValues(reader.seen, 1)).toEqual([]);
    reader.consumer.resume([{ topic, partition: 1 }]);
    await waitFor(() => readValues(reader.seen, 1).length >= 100, { what: 'partition 1 once resumed' });
    expect(readValues(reader.seen, 1)).toEqual(Array.from({ length: 100 }, (_, n) => `v${2 * n + 1}`));
  });

  test('members joining and leaving share the partitions: each is revoked from one before another gets it', async () => {
    const t = transport();
    const topic = await createTopic(4);
    const groupId = uniqueName();
    deleteGroup(groupId);

    const first = member(t, groupId, topic);
    await first.run();
    await waitFor(() => first.seen.owned.size === 4, { what: 'the first member owning all four partitions' });

    const second = member(t, groupId, topic);
    await second.run();
    await waitFor(() => second.seen.owned.size > 0 && first.seen.owned.size + second.seen.owned.size === 4, {
      what: 'the partitions shared by two members',
      timeoutMs: 60_000,
    });
    expect([...first.seen.owned].filter((p) => second.seen.owned.has(p))).toEqual([]);
    expect(first.seen.events[1]).toMatch(/^revoked /);

    await second.stop();
    await waitFor(() => first.seen.owned.size === 4, {
      what: 'the first member owning all four partitions again',
      timeoutMs: 60_000,
    });
    expect(first.seen.crashed).toBeUndefined();
    expect(second.seen.crashed).toBeUndefined();
  });
});
