import { aggregators, sliding, type KStream } from '../../src/index.js';
import { TestDriver } from '../../src/testing/index.js';

const driver = TestDriver.create((input: KStream<string, number>) =>
  input.window(sliding('5s')).aggregate(aggregators.collect<number>()),
);

driver
  .send('b', 10_000, 10_000) // watermark 10 s
  .send('a', 9_000, 9_000) // its left window [4000, 9000] is closed: not created
  .send('a', 12_000, 12_000) // creates [7000, 12000], which contains 9000
  .end();

const lines = driver.outputs.map(
  (r) => `${r.key} [${r.value.window.start}, ${r.value.window.end}) ${r.value.value.join(' ')}`,
);
// ['b [5000, 10001) 10000', 'a [7000, 12001) 9000 12000', 'a [9001, 14002) 12000']
// ---- end of documented example ----
export { lines };
