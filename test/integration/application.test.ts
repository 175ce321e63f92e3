import * as t from 'io-ts';
import { expect, onTestFinished, test } from 'vitest';
import { Application } from '../../src/checkpoint/Application.js';
import { json } from '../../src/codecs/json.js';
import { NumberFromString } from '../../src/codecs/NumberFromString.js';
import { timestampMs } from '../../src/codecs/timestampMs.js';
import { kafkaTransport } from '../../src/kafka/KafkaTransport.js';
import { platformaticTransport } from '../../src/platformatic/PlatformaticTransport.js';
import { fromField } from '../../src/time/TimestampExtractor.js';
import { aggregators, tumbling } from '../../src/index.js';
import { createTopic, kafkaClient, services, uniqueName, waitFor, withAdmin } from './helpers.js';

const Trade = t.type({ s: t.string, p: NumberFromString, q: NumberFromString, T: timestampMs });
type Trade = t.TypeOf<typeof Trade>;

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const VALID = 3_000;
const MALFORMED = 10_000;
// Recent event times: output records carry them, and the broker's retention would delete older ones.
const START = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;

/** Three kinds of bad input, in turn: not JSON, a field of the wrong type, no trade time. */
const malformed = (i: number): string =>
  i % 3 === 0
    ? `{"s":"BTCUSDT","p":"61000.1"` // cut short
    : i % 3 === 1
      ? JSON.stringify({ s: 'ETHUSDT', p: 2600.5, q: '1.0', T: START + i })
      : JSON.stringify({ s: 'SOLUSDT', p: '150.2', q: '2.0' });

const transports = [
  ['KafkaJS', kafkaTransport],
  ['@platformatic/kafka', platformaticTransport],
] as const;

test.each(transports)(
  'malformed records go to the dead-letter topic with their reason; valid results are unchanged (%s)',
  async (_, transport) => {
    const topic = await createTopic(3);
    const output = await createTopic(1);
    onTestFinished(() =>
      withAdmin((admin) => admin.deleteTopics({ topics: [`${topic}.dlq`] }).catch(() => undefined)),
    );

    // Valid trades: one every 10 ms per symbol, keyed by symbol. Every tenth position also gets a bad one.
    const producer = kafkaClient().producer();
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    const valid: { key: string; value: string }[] = [];
    const expected = new Map<string, number>();
    for (let i = 0; i < VALID; i++) {
      const s = SYMBOLS[i % SYMBOLS.length]!;
      const T = START + i * 10;
      valid.push({ key: s, value: JSON.stringify({ s, p: String(100 + i), q: '1', T }) });
      const window = `${s}@${Math.floor(T / 1_000) * 1_000}`;
      expected.set(window, (expected.get(window) ?? 0) + 1);
    }
    const bad = Array.from({ length: MALFORMED }, (_, i) => ({ key: SYMBOLS[i % 3]!, value: malformed(i) }));
    const messages: { key: string; value: string }[] = [];
    for (let i = 0, b = 0; i < VALID; i++) {
      messages.push(valid[i]!);
      for (let k = 0; k < 4 && b < MALFORMED; k++) messages.push(bad[b++]!);
    }
    for (let i = 0; i < messages.length; i += 1_000) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1_000) });
    }
    // A far-future trade on every partition (one may have no symbol of its own) moves the watermark past
    // the valid data; its own window stays open.
    await producer.send({
      topic,
      acks: -1,
      messages: [0, 1, 2].map((partition) => ({
        partition,
        key: 'BTCUSDT',
        value: JSON.stringify({ s: 'BTCUSDT', p: '1', q: '1', T: START + 86_400_000 }),
      })),
    });

    const applicationId = uniqueName();
    const app = new Application({
      applicationId,
      transport: transport({ brokers: services().KAFKA_BROKERS.split(',') }),
      commitInterval: '1s',
    });
    const trades = app.source({
      topic,
      value: json(Trade),
      timestamp: fromField((trade: Trade) => trade.T),
    });
    const counts = trades
      .selectKey((trade) => trade.s)
      .window(tumbling('1s'))
      .aggregate(aggregators.count());
    app.to(counts, app.topicSink(output, { key: json(t.string), value: json(t.unknown) }));
    await app.start();
    onTestFinished(async () => {
      await app.stop();
      await withAdmin(async (admin) => {
        await admin.deleteGroups([applicationId]);
        // The application's own topics: its state changelogs.
        const internal = (await admin.listTopics()).filter((name) => name.startsWith(`${applicationId}-`));
        await admin.deleteTopics({ topics: internal });
      });
    });

    // Every malformed record reaches the dead-letter topic, with the original bytes and the reason.
    const deadLetters = await readAll(`${topic}.dlq`, MALFORMED);
    expect(deadLetters).toHaveLength(MALFORMED);
    const reasons = new Map<string, number>();
    for (const d of deadLetters) {
      expect(bad.map((b) => b.value)).toContain(d.value);
      expect(d.headers['tributary.origin.topic']).toBe(topic);
      expect(Number(d.headers['tributary.origin.offset'])).toBeGreaterThanOrEqual(0);
      const code = d.headers['tributary.error.code']!;
      reasons.set(code, (reasons.get(code) ?? 0) + 1);
      if (d.value.includes('"p":2600.5')) expect(d.headers['tributary.error.paths']).toContain('p');
    }
    // Cut-short JSON and a number where a decimal string belongs fail decoding; a missing `T` too (the
    // codec requires it).
    expect(
      [...reasons.keys()].every((code) => code === 'DECODE_FAILED' || code === 'TIMESTAMP_INVALID'),
    ).toBe(true);

    // The valid trades give exactly the counts they would give with no bad input at all.
    await app.checkpoint();
    const results = await readAll(output, expected.size);
    const got = new Map(
      results.map((r) => {
        const value = JSON.parse(r.value) as { window: { start: number }; value: number };
        return [`${JSON.parse(r.key) as string}@${value.window.start}`, value.value] as const;
      }),
    );
    expect(got).toEqual(expected);

    // Everything read is committed: a restart would not read these records again.
    await waitFor(
      async () => {
        const ends = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
        const [committed] = await withAdmin((admin) =>
          admin.fetchOffsets({ groupId: applicationId, topics: [topic] }),
        );
        return ends.every(
          (e) => committed?.partitions.find((c) => c.partition === e.partition)?.offset === e.offset,
        );
      },
      { what: 'committed offsets at the end of the topic', timeoutMs: 30_000 },
    );
  },
);

interface Read {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/** Reads a topic from the beginning until `count` records have arrived. */
async function readAll(topic: string, count: number): Promise<Read[]> {
  const consumer = kafkaClient().consumer({ groupId: uniqueName() });
  await consumer.connect();
  onTestFinished(() => consumer.disconnect());
  const read: Read[] = [];
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
      read.push({ key: String(message.key), value: String(message.value), headers });
    },
  });
  await waitFor(() => read.length >= count, { what: `${count} records in ${topic}`, timeoutMs: 60_000 });
  return read;
}
