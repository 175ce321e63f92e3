import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  aggregators,
  Application,
  fromField,
  json,
  MemoryLog,
  memoryTransport,
  NumberFromString,
  timestampMs,
  tumbling,
  hopping,
  type LogTransport,
  type Sink,
  type WindowSpec,
  type StreamRecord,
} from '../../../src/index.js';
import { MemoryMetrics } from '../../../src/metrics/index.js';

const Trade = t.type({ s: t.string, p: NumberFromString, T: timestampMs });
type Trade = t.TypeOf<typeof Trade>;

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (b: Uint8Array | null): string => (b === null ? '' : new TextDecoder().decode(b));

/** A sink that keeps what it was given and what was flushed, and can be told to fail its flushes. */
class RecordingSink<K, V> implements Sink<K, V> {
  readonly name = 'recording';
  readonly written: StreamRecord<K, V>[] = [];
  readonly flushed: StreamRecord<K, V>[] = [];
  failing = false;
  write(records: readonly StreamRecord<K, V>[]): void {
    this.written.push(...records);
  }
  async flush(): Promise<void> {
    if (this.failing) throw new Error('sink unavailable');
    this.flushed.push(...this.written.slice(this.flushed.length));
  }
}

/** Waits for the log's deliveries and the application's queued batches to settle. */
async function settle(log: MemoryLog, app: Application): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await log.settled();
    await app.checkpoint().catch(() => undefined);
  }
}

type Counts = RecordingSink<string, { window: { start: number }; value: number }>;

/** An application counting trades per symbol and window of `spec`, into `sink`, on `log`. */
function countingApp(
  log: MemoryLog,
  sink: Counts,
  options: {
    readonly applicationId: string;
    readonly spec: WindowSpec;
    readonly onDecodeError?: 'dead-letter' | 'skip' | 'fail';
  },
): Application {
  const app = new Application({
    applicationId: options.applicationId,
    transport: memoryTransport(log),
    commitInterval: '1h',
  });
  const trades = app.source({
    topic: 'trades',
    value: json(Trade),
    timestamp: fromField((trade: Trade) => trade.T),
    ...(options.onDecodeError ? { onDecodeError: options.onDecodeError } : {}),
  });
  app.to(
    trades
      .selectKey((trade) => trade.s)
      .window(options.spec)
      .aggregate(aggregators.count()),
    sink as unknown as Sink<string, never>,
  );
  onTestFinished(() => app.stop().catch(() => undefined));
  return app;
}

function setup(options: { readonly onDecodeError?: 'dead-letter' | 'skip' | 'fail' } = {}) {
  const log = new MemoryLog();
  expect(E.isRight(log.createTopic('trades', { partitions: 2 }))).toBe(true);
  const sink: Counts = new RecordingSink();
  const app = countingApp(log, sink, { applicationId: 'counts', spec: tumbling('10s'), ...options });
  return { log, app, sink };
}

const trade = (s: string, T: number) => ({ key: bytes(s), value: bytes(JSON.stringify({ s, p: '1.5', T })) });

describe('Application on the in-memory log', () => {
  it('windows the decoded records, dead-letters the rest with the reason, and commits after flushing', async () => {
    const { log, app, sink } = setup();
    await app.start();
    log.produce('trades', [
      trade('BTC', 1_000),
      { key: bytes('BTC'), value: bytes('{"s":"BTC","p":1.5,"T":2000}') }, // p is not a decimal string
      trade('BTC', 3_000),
      { key: bytes('ETH'), value: bytes('not json') },
      trade('BTC', 25_000), // closes [0, 10 s) on BTC's partition
    ]);
    // Every partition holds the watermark back until it has data: give ETH's partition a late-enough trade.
    log.produce('trades', [trade('ETH', 25_000)]);
    await settle(log, app);

    expect(sink.flushed.map((r) => [r.key, r.value.window.start, r.value.value])).toContainEqual([
      'BTC',
      0,
      2,
    ]);
    const deadLetters = log
      .fetch('trades.dlq', 0, '0')
      .records.concat(log.fetch('trades.dlq', 1, '0').records);
    expect(deadLetters.map((r) => text(r.value)).sort()).toEqual([
      'not json',
      '{"s":"BTC","p":1.5,"T":2000}',
    ]);
    for (const r of deadLetters) {
      expect(text(r.headers['tributary.error.code'] ?? null)).toBe('DECODE_FAILED');
      expect(text(r.headers['tributary.origin.topic'] ?? null)).toBe('trades');
    }
    const committed = log.committedOffsets('counts', 'trades');
    expect(committed.map((o) => [o.partition, o.offset]).sort()).toEqual(
      [0, 1].map((p) => [p, log.endOffset('trades', p)]).filter(([, end]) => end !== '0'),
    );
  });

  it('commits nothing while a sink cannot flush, and everything once it can', async () => {
    const { log, app, sink } = setup();
    await app.start();
    sink.failing = true;
    log.produce('trades', [trade('BTC', 1_000), trade('BTC', 25_000)]);
    await log.settled();
    await expect(app.checkpoint()).rejects.toThrow('sink unavailable');
    expect(log.committedOffsets('counts', 'trades')).toEqual([]);

    sink.failing = false;
    await app.checkpoint();
    expect(sink.flushed).toHaveLength(sink.written.length);
    expect(log.committedOffsets('counts', 'trades').length).toBeGreaterThan(0);
  });

  it('skips undecodable records under the skip policy, and fails the pipeline under fail', async () => {
    const skipping = setup({ onDecodeError: 'skip' });
    await skipping.app.start();
    skipping.log.produce('trades', [{ key: bytes('BTC'), value: bytes('not json') }]);
    await settle(skipping.log, skipping.app);
    expect(skipping.log.topics()).not.toContain('trades.dlq');
    expect(skipping.app.failed).toBeUndefined();

    const failing = setup({ onDecodeError: 'fail' });
    await failing.app.start();
    failing.log.produce('trades', [{ key: bytes('BTC'), value: bytes('not json') }]);
    await failing.log.settled();
    await expect.poll(() => failing.app.failed).toMatchObject({ code: 'DECODE_FAILED' });
    await expect(failing.app.stop()).rejects.toMatchObject({ code: 'DECODE_FAILED' });
  });

  it('rejects bad configuration naming the field', () => {
    const transport = memoryTransport(new MemoryLog());
    expect(() => new Application({ applicationId: 'has space', transport })).toThrow(/applicationId/);
    expect(() => new Application({ applicationId: 'ok', transport, commitInterval: '0s' })).toThrow(
      /commitInterval/,
    );
  });
});

const SYMBOLS = ['BTC', 'ETH', 'SOL', 'XRP'];

/** Trades of every symbol, one each 250 ms from `from` to `to`. */
const batch = (from: number, to: number) => {
  const out: { key: Uint8Array; value: Uint8Array }[] = [];
  for (let T = from; T < to; T += 250) for (const s of SYMBOLS) out.push(trade(s, T));
  return out;
};

/** A far-future trade on each partition: it closes every window of the data before it. */
const closing = (log: MemoryLog) =>
  log.produce(
    'trades',
    [0, 1].map((partition) => ({ ...trade('BTC', 10_000_000), partition })),
  );

describe('Application checkpoints and restores', () => {
  const app = (log: MemoryLog, sink: Counts, spec: WindowSpec) =>
    countingApp(log, sink, { applicationId: 'restarts', spec });

  const results = (sink: Counts) =>
    new Map(sink.flushed.map((r) => [`${r.key}@${r.value.window.start}`, r.value.value]));

  it.each([
    ['tumbling 10 s', tumbling('10s'), 7],
    ['hopping 10 s every 5 s', hopping('10s', '5s'), 14],
  ] as const)(
    '%s: after a crash, resumes from the last checkpoint: every window complete, none missing',
    async (_name, spec, windows) => {
      // The uninterrupted run.
      const reference = new MemoryLog();
      reference.createTopic('trades', { partitions: 2 });
      const referenceSink = new RecordingSink() as Counts;
      const uninterrupted = app(reference, referenceSink, spec);
      await uninterrupted.start();
      reference.produce('trades', batch(0, 25_000));
      reference.produce('trades', batch(25_000, 47_000));
      reference.produce('trades', batch(47_000, 70_000));
      closing(reference);
      await settle(reference, uninterrupted);
      const expected = results(referenceSink);
      expect(expected.size).toBe(SYMBOLS.length * windows);

      // The same input, with a crash between checkpoints: windows [20 s, 30 s) and [40 s, 50 s) are open
      // across the checkpoint and the crash.
      const log = new MemoryLog();
      log.createTopic('trades', { partitions: 2 });
      const beforeCrash = new RecordingSink() as Counts;
      const first = app(log, beforeCrash, spec);
      await first.start();
      log.produce('trades', batch(0, 25_000));
      await settle(log, first);
      log.produce('trades', batch(25_000, 47_000));
      await log.settled(); // processed, not checkpointed
      await first.abort();

      const afterCrash = new RecordingSink() as Counts;
      const second = app(log, afterCrash, spec);
      await second.start();
      log.produce('trades', batch(47_000, 70_000));
      closing(log);
      await settle(log, second);

      const got = new Map([...results(beforeCrash), ...results(afterCrash)]);
      expect(got).toEqual(expected);
      // The restarted run re-read only what followed the checkpoint: nothing it emitted was emitted before.
      for (const k of results(afterCrash).keys()) expect(results(beforeCrash).has(k)).toBe(false);
    },
  );
});

describe('Application metrics', () => {
  it('counts records in and out, decode failures, dead letters, lag and checkpoints', async () => {
    const log = new MemoryLog();
    log.createTopic('trades', { partitions: 1 });
    const metrics = new MemoryMetrics();
    const app = new Application({
      applicationId: 'metered',
      transport: memoryTransport(log),
      commitInterval: '1h',
      metrics,
    });
    const trades = app.source({
      topic: 'trades',
      value: json(Trade),
      timestamp: fromField((trade: Trade) => trade.T),
    });
    const sink = new RecordingSink<string, unknown>();
    app.to(
      trades
        .selectKey((trade) => trade.s)
        .window(tumbling('10s'))
        .aggregate(aggregators.count()),
      sink as unknown as Sink<string, never>,
    );
    onTestFinished(() => app.stop().catch(() => undefined));
    await app.start();
    log.produce('trades', [
      trade('BTC', 1_000),
      { key: bytes('BTC'), value: bytes('oops') },
      trade('BTC', 25_000),
    ]);
    await settle(log, app);

    expect(metrics.value('tributary_records_in_total', { operator: 'source', topic: 'trades' })).toBe(3);
    expect(metrics.value('tributary_decode_failures_total', { topic: 'trades' })).toBe(1);
    expect(
      metrics.value('tributary_dead_lettered_records_total', { topic: 'trades', code: 'DECODE_FAILED' }),
    ).toBe(1);
    expect(metrics.value('tributary_records_out_total', { operator: 'recording', topic: '' })).toBe(1);
    expect(metrics.value('tributary_consumer_lag_records', { topic: 'trades', partition: '0' })).toBe(0);
    expect(metrics.count('tributary_checkpoint_duration_seconds')).toBeGreaterThan(0);
  });
});

describe('Application scale-out', () => {
  // Partitioned by the window key: BTC and ETH on partition 0, SOL and XRP on partition 1.
  const onPartition = (partition: number, from: number, to: number) => {
    const out: { key: Uint8Array; value: Uint8Array; partition: number }[] = [];
    const symbols = partition === 0 ? ['BTC', 'ETH'] : ['SOL', 'XRP'];
    for (let T = from; T < to; T += 250) for (const s of symbols) out.push({ ...trade(s, T), partition });
    return out;
  };
  const results = (...sinks: Counts[]) =>
    new Map(
      sinks.flatMap((sink) => sink.flushed.map((r) => [`${r.key}@${r.value.window.start}`, r.value.value])),
    );

  it('a partition taken over from a stopped instance closes its windows by its own event time, so none of its records is late', async () => {
    const app = (log: MemoryLog, sink: Counts) =>
      countingApp(log, sink, { applicationId: 'scale-out', spec: hopping('10s', '5s') });

    const reference = new MemoryLog();
    reference.createTopic('trades', { partitions: 2 });
    const referenceSink = new RecordingSink() as Counts;
    const alone = app(reference, referenceSink);
    await alone.start();
    reference.produce('trades', [...onPartition(0, 0, 70_000), ...onPartition(1, 0, 70_000)]);
    reference.produce(
      'trades',
      [0, 1].map((partition) => ({ ...trade(partition === 0 ? 'BTC' : 'SOL', 10_000_000), partition })),
    );
    await settle(reference, alone);
    const expected = results(referenceSink);
    expect(expected.size).toBe(4 * 14);

    // Two instances, one partition each. Partition 0 is read to its end (its event time runs far ahead);
    // partition 1 only to 30 s, when its instance stops and the other one takes it over.
    const log = new MemoryLog();
    log.createTopic('trades', { partitions: 2 });
    const sinks = [new RecordingSink() as Counts, new RecordingSink() as Counts];
    const apps = sinks.map((sink) => app(log, sink));
    for (const a of apps) await a.start();
    log.produce('trades', [...onPartition(0, 0, 70_000), { ...trade('BTC', 10_000_000), partition: 0 }]);
    log.produce('trades', onPartition(1, 0, 30_000));
    for (const a of apps) await settle(log, a);
    const ownsPartition1 = sinks.findIndex((sink) => sink.flushed.some((r) => r.key === 'SOL'));
    expect(ownsPartition1).toBeGreaterThanOrEqual(0);
    const survivor = apps[1 - ownsPartition1]!;
    expect(sinks[1 - ownsPartition1]!.flushed.some((r) => r.key === 'BTC')).toBe(true);
    await apps[ownsPartition1]!.stop();

    log.produce('trades', [...onPartition(1, 30_000, 70_000), { ...trade('SOL', 10_000_000), partition: 1 }]);
    await settle(log, survivor);
    expect(results(...sinks)).toEqual(expected);
  });
});

/** A transport like `transport`, whose client has no transactions. */
const withoutTransactions = ({ transactionalProducer: _, ...rest }: LogTransport): LogTransport => rest;

describe('Application exactly-once', () => {
  /** Counts per symbol and 10 s window into the topic `counts`, in transactions. */
  const app = (log: MemoryLog, transport: LogTransport = memoryTransport(log)) => {
    const a = new Application({
      applicationId: 'exactly-once',
      transport,
      commitInterval: '1h',
      processingGuarantee: 'exactly-once',
    });
    const trades = a.source({ topic: 'trades', value: json(Trade), timestamp: fromField((t: Trade) => t.T) });
    a.to(
      trades
        .selectKey((t) => t.s)
        .window(tumbling('10s'))
        .aggregate(aggregators.count()),
      a.topicSink('counts', { key: json(t.string), value: json(t.unknown) }),
    );
    onTestFinished(() => a.stop().catch(() => undefined));
    return a;
  };

  /** The output topic as a `read_committed` reader sees it: every window result, in order. */
  const committedOutputs = (log: MemoryLog): string[] => {
    const out: string[] = [];
    for (const partition of [0]) {
      for (const r of log.fetch('counts', partition, '0', 1_000_000).records) {
        const v = JSON.parse(text(r.value)) as { window: { start: number }; value: number };
        out.push(`${JSON.parse(text(r.key)) as string}@${v.window.start}=${v.value}`);
      }
    }
    return out.sort();
  };

  const fresh = () => {
    const log = new MemoryLog();
    log.createTopic('trades', { partitions: 2 });
    log.createTopic('counts', { partitions: 1 });
    return log;
  };

  /** What an uninterrupted run of the whole input commits. */
  const uninterruptedOutputs = async (): Promise<string[]> => {
    const reference = fresh();
    const alone = app(reference);
    await alone.start();
    reference.produce('trades', batch(0, 70_000));
    closing(reference);
    await settle(reference, alone);
    return committedOutputs(reference);
  };

  it('after a crash between checkpoints, read_committed readers see every window exactly once', async () => {
    const expected = await uninterruptedOutputs();
    expect(expected).toHaveLength(SYMBOLS.length * 7);

    const log = fresh();
    const first = app(log);
    await first.start();
    log.produce('trades', batch(0, 25_000));
    await settle(log, first);
    log.produce('trades', batch(25_000, 47_000));
    await log.settled(); // processed: windows up to 40 s emitted, but not committed
    await first.abort();
    // What the crashed instance emitted after its last checkpoint never became visible.
    expect(committedOutputs(log).length).toBeLessThan(expected.length);

    const second = app(log);
    await second.start();
    log.produce('trades', batch(47_000, 70_000));
    closing(log);
    await settle(log, second);
    expect(committedOutputs(log)).toEqual(expected);
  });

  it('a transaction that fails rewinds the partitions to the last checkpoint: nothing lost, nothing twice', async () => {
    const expected = await uninterruptedOutputs();

    // The transport's transactions fail to commit while `failing` is set (as when the group fenced them).
    const log = fresh();
    const transport = memoryTransport(log);
    let failing = false;
    const flaky: LogTransport = {
      ...transport,
      transactionalProducer: async (id) => {
        const producer = await transport.transactionalProducer!(id);
        return {
          ...producer,
          begin: async () => {
            const tx = await producer.begin();
            return {
              ...tx,
              commit: async () => {
                if (!failing) return tx.commit();
                await tx.abort();
                throw new Error('fenced');
              },
            };
          },
        };
      },
    };
    const a = app(log, flaky);
    await a.start();
    log.produce('trades', batch(0, 25_000));
    await settle(log, a);
    failing = true;
    log.produce('trades', batch(25_000, 47_000));
    await log.settled();
    await expect(a.checkpoint()).rejects.toThrow('fenced');
    failing = false;
    log.produce('trades', batch(47_000, 70_000));
    closing(log);
    await settle(log, a);
    expect(committedOutputs(log)).toEqual(expected);
  });

  it('a partition revoked before a checkpoint has its outputs written once, by its new owner', async () => {
    const expected = await uninterruptedOutputs();

    const log = fresh();
    const first = app(log);
    await first.start();
    log.produce('trades', batch(0, 47_000));
    await log.settled(); // windows emitted for both partitions, nothing committed
    const second = app(log);
    await second.start(); // the first instance loses one partition, with its uncommitted outputs
    log.produce('trades', batch(47_000, 70_000));
    closing(log);
    for (let i = 0; i < 3; i++) {
      await settle(log, first);
      await settle(log, second);
    }
    expect(committedOutputs(log)).toEqual(expected);
  });

  it('dead letters are written in the transaction of the checkpoint that covers them', async () => {
    const log = fresh();
    const a = app(log);
    await a.start();
    log.produce('trades', [{ key: bytes('BTC'), value: bytes('not json'), partition: 0 }]);
    await log.settled();
    expect(log.fetch('trades.dlq', 0, '0').records).toHaveLength(0);
    await settle(log, a);
    expect(log.fetch('trades.dlq', 0, '0').records).toHaveLength(1);
  });

  it('needs a transport with transactions, and says so naming the field', async () => {
    const a = new Application({
      applicationId: 'no-transactions',
      transport: withoutTransactions(memoryTransport(new MemoryLog())),
      processingGuarantee: 'exactly-once',
    });
    a.source({ topic: 'trades', value: json(Trade) });
    await expect(a.start()).rejects.toMatchObject({ error: { field: 'processingGuarantee' } });
    expect(
      () =>
        new Application({
          applicationId: 'typo',
          transport: memoryTransport(new MemoryLog()),
          processingGuarantee: 'exactly_once' as never,
        }),
    ).toThrow(/processingGuarantee/);
  });
});

describe('Application sources', () => {
  it('refuse to start on a topic that does not exist, naming it', async () => {
    const app = new Application({ applicationId: 'missing', transport: memoryTransport(new MemoryLog()) });
    app.to(app.source({ topic: 'nowhere', value: json(Trade) }), new RecordingSink());
    await expect(app.start()).rejects.toMatchObject({
      error: { code: 'CONFIG_INVALID', field: 'source.topic' },
      message: expect.stringContaining('"nowhere" does not exist'),
    });
  });
});

describe('Application topic sinks', () => {
  it('creates an output topic that does not exist when asked to, and rejects a bad partition count', async () => {
    const log = new MemoryLog();
    log.createTopic('trades', { partitions: 1 });
    const app = new Application({ applicationId: 'outputs', transport: memoryTransport(log) });
    app.to(
      app.source({ topic: 'trades', value: json(Trade) }),
      app.topicSink('copies', { key: json(t.unknown), value: json(Trade), create: { partitions: 3 } }),
    );
    onTestFinished(() => app.stop());
    await app.start();
    expect(log.topics()).toContain('copies');
    expect(await memoryTransport(log).partitions('copies')).toBe(3);
    expect(() =>
      app.topicSink('x', { key: json(t.unknown), value: json(t.unknown), create: { partitions: 0 } }),
    ).toThrow(/topicSink.create.partitions/);
  });
});

describe('Application sink dead letters', () => {
  /** Refuses trades with a negative price for good, as a database refuses a point, and offers `useDeadLetters`. */
  class RefusingSink implements Sink<unknown, Trade> {
    readonly name = 'prices db';
    readonly stored: Trade[] = [];
    private deadLetters: Sink<unknown, unknown> | undefined;
    write(records: readonly StreamRecord<unknown, Trade>[]): void {
      for (const r of records) {
        if (r.value.p >= 0) this.stored.push(r.value);
        else
          this.deadLetters?.write([
            {
              ...r,
              value: { value: r.value, reason: 'negative price' },
              headers: { 'tributary.error.code': 'REFUSED' },
            },
          ]);
      }
    }
    flush = async (): Promise<void> => this.deadLetters?.flush();
    useDeadLetters(output: Sink<unknown, unknown>): void {
      this.deadLetters = output;
    }
  }

  it('gives a sink that can refuse records a dead-letter topic named after it, key and headers kept', async () => {
    const log = new MemoryLog();
    log.createTopic('trades', { partitions: 1 });
    const app = new Application({ applicationId: 'refusals', transport: memoryTransport(log) });
    const sink = new RefusingSink();
    app.to(app.source({ topic: 'trades', value: json(Trade) }), sink);
    onTestFinished(() => app.stop());
    await app.start();
    log.produce('trades', [
      { key: bytes('BTC'), value: bytes('{"s":"BTC","p":"1.5","T":1}') },
      { key: bytes('ETH'), value: bytes('{"s":"ETH","p":"-2","T":2}') },
    ]);
    await app.caughtUp();
    await app.checkpoint();

    expect(sink.stored).toEqual([{ s: 'BTC', p: 1.5, T: 1 }]);
    const [letter, ...more] = log.fetch('prices_db.dlq', 0, '0', 10).records;
    expect(more).toEqual([]);
    expect(text(letter!.key)).toBe('ETH');
    expect(JSON.parse(text(letter!.value))).toEqual({
      value: { s: 'ETH', p: -2, T: 2 },
      reason: 'negative price',
    });
    expect(text(letter!.headers['tributary.error.code']!)).toBe('REFUSED');
  });
});
