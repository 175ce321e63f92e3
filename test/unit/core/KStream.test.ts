import { distinctUntilChanged, map, of, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  aggregators,
  KStream,
  record,
  RunContext,
  tumbling,
  Watermark,
  type Chunk,
  type StreamRecord,
} from '../../../src/index.js';
import { TestDriver } from '../../../src/testing/index.js';

interface Trade {
  readonly symbol: string;
  readonly price: number;
  readonly qty: number;
}

const trade = (symbol: string, price: number, qty = 1): Trade => ({ symbol, price, qty });

/** The origin the test driver gives the n-th record of partition 0. */
const origin = (offset: number) => ({ topic: 'input', partition: 0, offset: String(offset) });

/** Subscribes and collects synchronously: `KStream.from` over an array or `of(...)` emits at once. */
function collect<T>(observable: Observable<T>): { values: T[]; complete: boolean } {
  const result = { values: [] as T[], complete: false };
  observable.subscribe({ next: (v) => result.values.push(v), complete: () => (result.complete = true) });
  return result;
}

describe('KStream.map and mapValues', () => {
  it('map replaces key and value, keeping timestamp, headers and origin', () => {
    const driver = TestDriver.create((input: KStream<null, Trade>) =>
      input.map((r) => ({ key: r.value.symbol, value: r.value.price * r.value.qty })),
    );
    driver.send(null, trade('BTCUSDT', 64_000, 2), 1_000, { headers: { source: 'binance' } });
    expect(driver.outputs).toEqual([
      { key: 'BTCUSDT', value: 128_000, timestamp: 1_000, headers: { source: 'binance' }, origin: origin(0) },
    ]);
  });

  it('map can move a record in event time or replace its headers', () => {
    const driver = TestDriver.create((input: KStream<string, number>) =>
      input.map((r) => ({
        key: r.key,
        value: r.value,
        timestamp: r.timestamp + 60_000,
        headers: { moved: 'yes' },
      })),
    );
    driver.send('a', 1, 1_000);
    expect(driver.outputs).toEqual([
      { key: 'a', value: 1, timestamp: 61_000, headers: { moved: 'yes' }, origin: origin(0) },
    ]);
  });

  it('mapValues replaces the value and sees the whole record', () => {
    const driver = TestDriver.create((input: KStream<string, number>) =>
      input.mapValues((v, r) => `${r.key}:${v * 10}@${r.timestamp}`),
    );
    driver.send('a', 1, 5).send('b', 2, 6);
    expect(driver.outputs).toEqual([
      { key: 'a', value: 'a:10@5', timestamp: 5, headers: {}, origin: origin(0) },
      { key: 'b', value: 'b:20@6', timestamp: 6, headers: {}, origin: origin(1) },
    ]);
  });
});

describe('KStream.filter', () => {
  it('keeps the records whose value satisfies the predicate, in order', () => {
    const driver = TestDriver.create((input: KStream<string, number>) => input.filter((v) => v % 2 === 0));
    driver.sendAll([1, 2, 3, 4, 6, 7].map((value, i) => ({ key: 'k', value, timestamp: i })));
    expect(driver.values()).toEqual([2, 4, 6]);
    expect(driver.outputs.map((r) => r.timestamp)).toEqual([1, 3, 4]);
  });

  it('narrows the value type with a type guard', () => {
    const mixed = KStream.from<string, number | string>([record('k', 1, 0), record('k', 'x', 1)]);
    const numbers = mixed.filter((v): v is number => typeof v === 'number');
    expectTypeOf(numbers).toEqualTypeOf<KStream<string, number>>();
    expect(collect(numbers.records()).values.map((r) => r.value)).toEqual([1]);
  });

  it('lets watermarks through even when it drops every record', () => {
    const driver = TestDriver.create((input: KStream<string, number>) => input.filter(() => false));
    driver.send('a', 1, 1_000).send('a', 2, 2_000);
    expect(driver.outputs).toEqual([]);
    expect(driver.watermarks).toEqual([1_000, 2_000]);
  });
});

describe('KStream.flatMap and flatMapValues', () => {
  it('flatMap replaces each record by zero or more, which inherit its timestamp unless they set one', () => {
    const driver = TestDriver.create((input: KStream<string, string>) =>
      input.flatMap((r) =>
        r.value
          .split(' ')
          .filter(Boolean)
          .map((word, i) => ({
            key: word,
            value: word.length,
            ...(i > 0 ? { timestamp: r.timestamp + i } : {}),
          })),
      ),
    );
    driver.send('line', 'to be', 100).send('line', '', 200).send('line', 'or', 300);
    expect(driver.outputs).toEqual([
      { key: 'to', value: 2, timestamp: 100, headers: {}, origin: origin(0) },
      { key: 'be', value: 2, timestamp: 101, headers: {}, origin: origin(0) },
      { key: 'or', value: 2, timestamp: 300, headers: {}, origin: origin(2) },
    ]);
  });

  it('flatMapValues keeps key, timestamp and origin', () => {
    const driver = TestDriver.create((input: KStream<string, number[]>) => input.flatMapValues((v) => v));
    driver.send('a', [1, 2], 10).send('b', [], 20).send('c', [3], 30);
    expect(driver.outputs).toEqual([
      { key: 'a', value: 1, timestamp: 10, headers: {}, origin: origin(0) },
      { key: 'a', value: 2, timestamp: 10, headers: {}, origin: origin(0) },
      { key: 'c', value: 3, timestamp: 30, headers: {}, origin: origin(2) },
    ]);
  });
});

describe('KStream.selectKey', () => {
  it('sets the key that a windowed aggregation groups by', () => {
    const driver = TestDriver.create((input: KStream<null, Trade>) =>
      input
        .selectKey((t) => t.symbol)
        .window(tumbling('1m'))
        .aggregate(aggregators.sum((t: Trade) => t.qty)),
    );
    driver
      .send(null, trade('BTCUSDT', 64_000, 2), 1_000)
      .send(null, trade('ETHUSDT', 3_000, 5), 2_000)
      .send(null, trade('BTCUSDT', 64_100, 3), 3_000)
      .end();
    const totals = Object.fromEntries(driver.outputs.map((r) => [r.key, r.value.value]));
    expect(totals).toEqual({ BTCUSDT: 5, ETHUSDT: 5 });
  });

  it('keeps value, timestamp and origin', () => {
    const driver = TestDriver.create((input: KStream<null, Trade>) =>
      input.selectKey((t, r) => `${t.symbol}/${r.timestamp}`),
    );
    driver.send(null, trade('BTCUSDT', 1), 7);
    expect(driver.outputs).toEqual([
      { key: 'BTCUSDT/7', value: trade('BTCUSDT', 1), timestamp: 7, headers: {}, origin: origin(0) },
    ]);
  });
});

describe('KStream.peek', () => {
  it('sees every record once, in order, and passes it on unchanged', () => {
    const seen: StreamRecord<string, number>[] = [];
    const driver = TestDriver.create((input: KStream<string, number>) => input.peek((r) => seen.push(r)));
    driver.send('a', 1, 10).send('b', 2, 20);
    expect(driver.outputs).toEqual(seen);
    expect(seen.map((r) => r.value)).toEqual([1, 2]);
  });

  it('runs once per record even when several branches consume the stream after it', () => {
    const seen: number[] = [];
    const driver = TestDriver.create((input: KStream<string, number>) => {
      const [negative, rest] = input.peek((r) => seen.push(r.value)).branch((v) => v < 0);
      return negative!.merge(rest!);
    });
    driver.send('a', -1, 10).send('a', 2, 20).send('a', -3, 30);
    expect(seen).toEqual([-1, 2, -3]);
    expect(driver.values()).toEqual([-1, 2, -3]);
  });
});

describe('KStream.branch', () => {
  const values = [-5, 3, 42, -1, 7, 100];
  const send = (driver: TestDriver<string, number, string, number>) =>
    driver.sendAll(values.map((value, i) => ({ key: 'k', value, timestamp: i * 1_000 })));
  const branchDriver = (index: number) =>
    TestDriver.create(
      (input: KStream<string, number>) =>
        input.branch(
          (v) => v < 0,
          (v) => v < 10,
        )[index]!,
    );

  it('returns one stream per predicate and one for the rest', () => {
    expect(
      KStream.from<string, number>([]).branch(
        (v) => v < 0,
        (v) => v < 10,
      ),
    ).toHaveLength(3);
  });

  it('sends a record to the first branch whose predicate it satisfies', () => {
    // -5 and -1 also satisfy `v < 10`: the first branch wins.
    expect(send(branchDriver(0)).values()).toEqual([-5, -1]);
    expect(send(branchDriver(1)).values()).toEqual([3, 7]);
  });

  it('gives the last branch every record no predicate took', () => {
    expect(send(branchDriver(2)).values()).toEqual([42, 100]);
  });

  it('evaluates a later predicate only for records the earlier ones did not take', () => {
    const asked: number[] = [];
    const driver = TestDriver.create((input: KStream<string, number>) => {
      const [negative, small, rest] = input.branch(
        (v) => v < 0,
        (v) => (asked.push(v), v < 10),
      );
      return negative!.merge(small!, rest!);
    });
    send(driver);
    expect(asked.filter((v) => v < 0)).toEqual([]);
    expect(driver.values().sort((a, b) => a - b)).toEqual([...values].sort((a, b) => a - b));
  });

  it('gives every branch every watermark, even a branch that gets no records', () => {
    const driver = branchDriver(1);
    driver.send('k', -5, 1_000).send('k', 42, 2_000).send('k', -1, 3_000);
    expect(driver.values()).toEqual([]);
    expect(driver.watermarks).toEqual([1_000, 2_000, 3_000]);
  });
});

describe('KStream.merge', () => {
  it('merges the records of its inputs', () => {
    const driver = TestDriver.create((input: KStream<string, number>) => {
      const [even, odd] = input.branch((v) => v % 2 === 0);
      return even!.mapValues((v) => v * 100).merge(odd!);
    });
    driver.send('a', 1, 1).send('a', 2, 2).send('a', 3, 3);
    expect(driver.values()).toEqual([1, 200, 3]);
  });

  it('carries the minimum of its inputs’ watermarks, and completes when all inputs have', () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    testScheduler.run(({ hot, expectObservable }) => {
      const a = (value: string, timestamp: number) => record('a', value, timestamp);
      const b = (value: string, timestamp: number) => record('b', value, timestamp);
      const input: Record<string, Chunk<string, string>> = {
        p: [a('a1', 100)],
        q: [b('b1', 50)],
        r: [a('a2', 200)],
        s: [b('b2', 300)],
      };
      const output: Record<string, Chunk<string, string>> = {
        p: [a('a1', 100)],
        q: [b('b1', 50), new Watermark(50)],
        r: [a('a2', 200)],
        s: [b('b2', 300), new Watermark(200)],
        t: [new Watermark(300)],
        f: [new Watermark(Infinity)],
      };
      const left = KStream.fromChunks(hot('   -p---r---|      ', input));
      const right = KStream.fromChunks(hot('  ---q---s---|    ', input));
      const expected = '                      -p-q-r-s-t-(f|)';

      const ctx = new RunContext({ scheduler: testScheduler });
      expectObservable(left.merge(right).chunks(ctx)).toBe(expected, output);
      ctx.start();
    });
  });
});

describe('KStream.through', () => {
  it('applies any RxJS operator to the records, e.g. distinctUntilChanged', () => {
    const driver = TestDriver.create((input: KStream<string, number>) =>
      input.through(distinctUntilChanged((x, y) => x.value === y.value)),
    );
    [1, 1, 2, 2, 1].forEach((value, i) => driver.send('price', value, i * 10));
    expect(driver.values()).toEqual([1, 2, 1]);
    expect(driver.outputs.map((r) => r.timestamp)).toEqual([0, 20, 40]);
    expect(driver.watermarks).toEqual([0, 10, 20, 30, 40]);
  });

  it('keeps records ahead of the watermarks that follow them, so windows downstream miss none', () => {
    const driver = TestDriver.create((input: KStream<string, number>) =>
      input
        .through(map((r: StreamRecord<string, number>) => ({ ...r, value: r.value * 2 })))
        .window(tumbling('10s'))
        .aggregate(aggregators.sum()),
    );
    driver.sendAll([
      { key: 'a', value: 1, timestamp: 9_999 },
      { key: 'a', value: 2, timestamp: 10_000 },
      { key: 'a', value: 3, timestamp: 19_999 },
      { key: 'a', value: 4, timestamp: 20_000 },
    ]);
    driver.end();
    expect(driver.late()).toEqual([]);
    expect(driver.outputs.map((r) => [r.value.window.start, r.value.value])).toEqual([
      [0, 2],
      [10_000, 10],
      [20_000, 8],
    ]);
  });
});

describe('KStream.from and records()', () => {
  it('runs a stream over an array and completes', () => {
    const stream = KStream.from([record('a', 1, 10), record('b', 2, 20), record('a', 3, 30)])
      .filter((v) => v !== 2)
      .mapValues((v) => v * 10);
    const result = collect(stream.records());
    expect(result.values).toEqual([record('a', 10, 10), record('a', 30, 30)]);
    expect(result.complete).toBe(true);
  });

  it('runs a stream over an Observable of records', () => {
    const result = collect(KStream.from(of(record('a', 1, 10), record('a', 2, 20))).records());
    expect(result.values.map((r) => r.value)).toEqual([1, 2]);
    expect(result.complete).toBe(true);
  });

  it('builds a fresh run on each subscription', () => {
    let calls = 0;
    const stream = KStream.from([record('a', 1, 10)]).peek(() => calls++);
    collect(stream.records());
    collect(stream.records());
    expect(calls).toBe(2);
  });
});

describe('KStream.describe', () => {
  it('lists the topology one operator per line, sources first, a shared node once', () => {
    const source = KStream.from<null, Trade>([]);
    const [cheap, rest] = source
      .filter((t) => t.qty > 0)
      .selectKey((t) => t.symbol)
      .branch((t) => t.price < 1);
    const out = cheap!
      .mapValues((t) => ({ ...t, price: t.price * 1_000 }))
      .merge(rest!)
      .window(tumbling('1m'))
      .aggregate(aggregators.count());

    expect(out.describe()).toBe(
      [
        '1: source',
        '2: filter <- 1',
        '3: selectKey <- 2',
        '4: filter <- 3',
        '5: mapValues <- 4',
        '6: filter <- 3',
        '7: merge <- 5, 6',
        '8: tumbling-window <- 7',
      ].join('\n'),
    );
  });

  it('uses the aggregation name when one is given', () => {
    const out = KStream.from<string, number>([])
      .window(tumbling('1m'))
      .aggregate(aggregators.sum(), { name: 'volume-1m' });
    expect(out.describe()).toBe('1: source\n2: volume-1m <- 1');
  });
});

describe('operator chaining and failures', () => {
  it('runs a chain of stateless operators once per record, also when a parent feeds two branches', () => {
    const calls: string[] = [];
    const driver = TestDriver.create((input: KStream<string, number>) => {
      const doubled = input.mapValues((v) => {
        calls.push(`map ${v}`);
        return v * 2;
      });
      const [small, large] = doubled.branch((v) => v < 10);
      return small!.mapValues((v) => `small ${v}`).merge(large!.mapValues((v) => `large ${v}`));
    });
    driver.send('a', 1, 1_000).send('a', 7, 2_000).end();
    expect(calls).toEqual(['map 1', 'map 7']);
    expect(driver.values()).toEqual(['small 2', 'large 14']);
  });

  it('fails the stream with OPERATOR_FAILED, naming the operator and the record, when a user function throws', () => {
    const driver = TestDriver.create((input: KStream<string, number>) =>
      input
        .filter((v) => v > 0)
        .mapValues((v) => {
          if (v === 13) throw new Error('unlucky');
          return v;
        }),
    );
    driver.send('a', 1, 1_000);
    expect(() => driver.send('a', 13, 2_000)).toThrow(
      expect.objectContaining({
        code: 'OPERATOR_FAILED',
        message: expect.stringMatching(/filter → mapValues failed on input\/0@1: unlucky/),
      }),
    );
    expect(driver.values()).toEqual([1]);
  });

  it('fails the stream with OPERATOR_FAILED when an aggregator throws', () => {
    const driver = TestDriver.create((input: KStream<string, number>) =>
      input.window(tumbling('10s')).aggregate({
        empty: () => 0,
        add: (acc: number, v: number) => {
          if (v < 0) throw new Error('negative');
          return acc + v;
        },
        result: (acc: number) => acc,
      }),
    );
    expect(() => driver.send('a', -1, 1_000)).toThrow(expect.objectContaining({ code: 'OPERATOR_FAILED' }));
  });
});
