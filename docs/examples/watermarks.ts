import type { KStream } from '../../src/index.js';
import { TestDriver } from '../../src/testing/index.js';

const driver = TestDriver.create((input: KStream<string, number>) => input, {
  partitions: [0, 1],
  watermark: { maxOutOfOrderness: '2s' },
});

driver
  .send('a', 1, 3_000, { partition: 0 })
  .send('b', 2, 5_000, { partition: 1 })
  .send('a', 3, 7_000, { partition: 0 })
  .send('b', 4, 10_000, { partition: 1 })
  .send('a', 5, 12_000, { partition: 0 });

const marks = driver.watermarks; // [1000, 3000, 5000, 8000]
// ---- end of documented example ----
export { marks };
