import { describe, expect, it } from 'vitest';
import { aggregators, tumbling, type KStream } from '../../src/index.js';
import { TestDriver } from '../../src/testing/index.js';

interface Trade {
  readonly symbol: string;
  readonly price: number;
  readonly qty: number;
}

/** The pipeline under test: one OHLCV candle per symbol and minute. */
const candles = (trades: KStream<null, Trade>) =>
  trades
    .selectKey((t) => t.symbol)
    .window(tumbling('1m'))
    .aggregate(aggregators.ohlcv({ price: (t: Trade) => t.price, volume: (t: Trade) => t.qty }));

const btc = (price: number, qty = 1): Trade => ({ symbol: 'BTCUSDT', price, qty });

describe('1 minute candles', () => {
  it('emits a candle once the watermark passes the end of its minute', () => {
    const driver = TestDriver.create(candles, { watermark: { maxOutOfOrderness: '10s' } });

    driver
      .send(null, btc(64_000), 5_000)
      .send(null, btc(64_500, 2), 30_000)
      .send(null, btc(63_900), 20_000) // out of order: its minute is still open
      .send(null, btc(64_200), 65_000); // watermark 55 s: the first minute is still open
    expect(driver.values()).toEqual([]);

    driver.send(null, btc(64_300), 71_000); // watermark 61 s: [0, 60 s) closes
    expect(driver.outputs).toEqual([
      {
        key: 'BTCUSDT',
        value: {
          emit: 'final',
          window: { start: 0, end: 60_000 },
          value: { open: 64_000, high: 64_500, low: 63_900, close: 64_500, volume: 4, trades: 3 },
        },
        timestamp: 59_999,
        headers: {},
      },
    ]);

    driver.end(); // end of input: every open window closes and releases its state
    expect(driver.values().map((r) => r.window)).toEqual([
      { start: 0, end: 60_000 },
      { start: 60_000, end: 120_000 },
    ]);
    expect(driver.stateEntries()).toBe(0);
  });

  it('diverts a trade whose minute has closed', () => {
    const driver = TestDriver.create(candles);

    driver.send(null, btc(64_000), 61_000).send(null, btc(1), 59_000);

    expect(driver.late()).toEqual([
      {
        key: 'BTCUSDT', // as the window operator saw it: after selectKey
        value: btc(1),
        timestamp: 59_000,
        headers: {},
        origin: { topic: 'input', partition: 0, offset: '1' },
      },
    ]);
    expect(driver.diverted[0]?.error.code).toBe('RECORD_LATE');
  });

  it('waits for the slowest partition', () => {
    const driver = TestDriver.create(candles, { partitions: [0, 1] });

    driver
      .send(null, btc(64_000), 10_000, { partition: 0 })
      .send(null, btc(64_100), 70_000, { partition: 0 });
    expect(driver.values()).toEqual([]); // partition 1 has no data: the watermark stays at −∞

    driver.send(null, btc(64_200), 65_000, { partition: 1 });
    expect(driver.watermarks).toEqual([65_000]);
    expect(driver.values()).toHaveLength(1);
  });

  it('lets an idle partition stop holding the watermark back', () => {
    const driver = TestDriver.create(candles, { partitions: [0, 1], watermark: { idleTimeout: '30s' } });

    driver.send(null, btc(64_000), 10_000, { partition: 0 });
    driver.advanceClock('20s').send(null, btc(64_100), 70_000, { partition: 0 });
    expect(driver.values()).toEqual([]);

    driver.advanceClock('10s'); // partition 1 has been silent for 30 s of wall clock
    expect(driver.watermarks).toEqual([70_000]);
    expect(driver.values()).toHaveLength(1);
  });
});
