import { aggregators, tumbling, type KStream, type WindowResult } from '../../src/index.js';
import { TestDriver } from '../../src/testing/index.js';

const driver = TestDriver.create((input: KStream<string, number>) =>
  input.window(tumbling('10s')).aggregate(aggregators.sum(), { emit: 'updates' }),
);

driver.send('a', 1, 1_000).send('a', 2, 4_000).send('a', 4, 12_000).end();

const updates: WindowResult<number, 'updates'>[] = driver.values();
// [
//   { emit: 'updates', window: { start: 0, end: 10000 }, value: 1 },
//   { emit: 'updates', window: { start: 0, end: 10000 }, value: 3 },
//   { emit: 'updates', window: { start: 10000, end: 20000 }, value: 4 },
// ]
// ---- end of documented example ----
export { updates };
