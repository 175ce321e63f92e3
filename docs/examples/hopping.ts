import { aggregators, hopping, type KStream } from '../../src/index.js';
import { TestDriver } from '../../src/testing/index.js';

const driver = TestDriver.create((amounts: KStream<string, number>) =>
  amounts.window(hopping('10s', '4s')).aggregate(aggregators.sum()),
);

driver.send('a', 1, 1_000).send('a', 2, 5_000).send('a', 4, 9_000).send('a', 8, 13_000).end();

const lines = driver.values().map((r) => `[${r.window.start}, ${r.window.end}) ${r.value}`);
// ['[0, 10000) 7', '[4000, 14000) 14', '[8000, 18000) 12', '[12000, 22000) 8']
// ---- end of documented example ----
export { lines };
