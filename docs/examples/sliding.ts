import { aggregators, sliding, type KStream } from '../../src/index.js';
import { TestDriver } from '../../src/testing/index.js';

const driver = TestDriver.create((events: KStream<string, string>) =>
  events.window(sliding('5s')).aggregate(aggregators.count()),
);

driver.send('k', 'a', 8_000).send('k', 'b', 9_200).send('k', 'c', 12_400).end();

const windows = driver.values().map((r) => [r.window.start, r.window.end, r.value]);
// [
//   [3000, 8001, 1],   [3000, 8000] inclusive
//   [4200, 9201, 2],   [4200, 9200]
//   [7400, 12401, 3],  [7400, 12400]
//   [8001, 13002, 2],  [8001, 13001]
//   [9201, 14202, 1],  [9201, 14201]
// ]
// ---- end of documented example ----
export { windows };
