import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/checkpoint/LogTransport.js';
import type { Origin } from '../../../src/core/errors.js';
import { MemoryLog } from '../../../src/memory/MemoryLog.js';
import { partitionForKey } from '../../../src/memory/partitionForKey.js';
import { bytes, text } from './helpers.js';

interface MessageSpec {
  readonly key: string | null;
  /** Taken modulo the partition count when present. */
  readonly partition: number | null;
}

interface Step {
  readonly messages: readonly MessageSpec[];
  /** `plain` produces outside a transaction; the others in one that stays open across a scheduling point. */
  readonly mode: 'plain' | 'commit' | 'abort';
}

interface Sent {
  readonly id: string;
  readonly producer: number;
  readonly key: string | null;
  readonly explicit: boolean;
  readonly origin: Origin;
  readonly visible: boolean;
}

const messageSpec: fc.Arbitrary<MessageSpec> = fc.record({
  key: fc.option(fc.constantFrom('BTC', 'ETH', 'SOL', '')),
  partition: fc.option(fc.nat({ max: 7 })),
});
const step: fc.Arbitrary<Step> = fc.record({
  messages: fc.array(messageSpec, { maxLength: 4 }),
  mode: fc.constantFrom('plain', 'plain', 'commit', 'abort'),
});

/** Every record of a partition, following `nextOffset`. */
const readAll = (log: MemoryLog, partition: number, isolation: 'read_committed' | 'read_uncommitted') => {
  const records: LogRecord[] = [];
  let from = '0';
  for (;;) {
    const batch = log.fetch('t', partition, from, 3, isolation);
    if (batch.records.length === 0) return records;
    records.push(...batch.records);
    from = batch.nextOffset;
  }
};

describe('MemoryLog with concurrent producers', () => {
  it("shows every committed record exactly once, each producer's records in order per partition", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.array(step, { maxLength: 4 }), { minLength: 1, maxLength: 4 }),
        async (s, partitions, producers) => {
          const log = new MemoryLog({ now: () => 0 });
          log.createTopic('t', { partitions });
          const delivered: string[][] = Array.from({ length: partitions }, () => []);
          for (let p = 0; p < partitions; p++) {
            log.subscribe('t', p, '0', (batch) =>
              delivered[p]!.push(...batch.records.map((r) => text(r.value)!)),
            );
          }
          const sent: Sent[] = [];
          const markers = new Array<number>(partitions).fill(0);

          const produce = async (producer: number, steps: readonly Step[]) => {
            for (const [i, { messages, mode }] of steps.entries()) {
              await s.schedule(Promise.resolve(`producer ${producer} step ${i}`));
              const specs = messages.map((m, j) => ({
                id: `${producer}/${i}/${j}`,
                key: m.key,
                explicit: m.partition !== null,
                message: {
                  key: m.key === null ? null : bytes(m.key),
                  value: bytes(`${producer}/${i}/${j}`),
                  ...(m.partition === null ? {} : { partition: m.partition % partitions }),
                },
              }));
              const record = (origins: Origin[], visible: boolean) =>
                origins.forEach((origin, j) => {
                  const { id, key, explicit } = specs[j]!;
                  sent.push({ id, producer, key, explicit, origin, visible });
                });
              if (mode === 'plain') {
                record(
                  log.produce(
                    't',
                    specs.map((x) => x.message),
                  ),
                  true,
                );
                continue;
              }
              const tx = log.transaction();
              const origins = tx.produce(
                't',
                specs.map((x) => x.message),
              );
              for (const p of new Set(origins.map((o) => o.partition))) markers[p]!++;
              await s.schedule(Promise.resolve(`producer ${producer} step ${i} ${mode}`));
              if (mode === 'commit') tx.commit();
              else tx.abort();
              record(origins, mode === 'commit');
            }
          };

          const running = Promise.all(producers.map((steps, i) => produce(i, steps)));
          await s.waitAll();
          await running;
          await log.settled();

          for (let p = 0; p < partitions; p++) {
            const committed = readAll(log, p, 'read_committed').map((r) => text(r.value)!);
            const everything = readAll(log, p, 'read_uncommitted');
            const here = sent.filter((x) => x.origin.partition === p);
            // Exactly once: the visible records, no others, no repeats; subscribers saw the same.
            expect([...committed].sort()).toEqual(
              here
                .filter((x) => x.visible)
                .map((x) => x.id)
                .sort(),
            );
            expect(delivered[p]).toEqual(committed);
            // Each producer's records keep the order it produced them in.
            for (let producer = 0; producer < producers.length; producer++) {
              const mine = here.filter((x) => x.producer === producer && x.visible).map((x) => x.id);
              expect(committed.filter((id) => id.startsWith(`${producer}/`))).toEqual(mine);
            }
            // Every record sits at the offset produce returned; offsets are consecutive but for markers.
            const byOffset = new Map(everything.map((r) => [r.offset, text(r.value)]));
            for (const x of here) expect(byOffset.get(x.origin.offset)).toBe(x.id);
            expect(log.endOffset('t', p, 'read_uncommitted')).toBe(String(here.length + markers[p]!));
          }
          // Keys land where Kafka's default partitioner puts them.
          for (const x of sent) {
            if (x.key !== null && !x.explicit) {
              expect(x.origin.partition).toBe(partitionForKey(bytes(x.key), partitions));
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
