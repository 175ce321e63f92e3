import { aggregators, sliding, type KStream, type WindowResult } from '../../src/index.js';
import { TestDriver } from '../../src/testing/index.js';

const driver = TestDriver.create((events: KStream<string, string>) =>
  events.window(sliding('5s')).aggregate(aggregators.count(), { emit: 'updates' }),
);
const show = (r: WindowResult<number>) => `[${r.window.start}, ${r.window.end}) ${r.value}`;

driver.send('k', 'a', 8_000);
const afterA = driver.values().map(show);
// ['[3000, 8001) 1']                                       a's left window

driver.send('k', 'b', 9_200);
const afterB = driver.values().slice(1).map(show);
// ['[8001, 13002) 1', '[4200, 9201) 2']                    a's right window, b's left window

driver.send('k', 'c', 12_400);
const afterC = driver.values().slice(3).map(show);
// ['[8001, 13002) 2', '[9201, 14202) 1', '[7400, 12401) 3']  existing window, b's right, c's left
// ---- end of documented example ----
export { afterA, afterB, afterC, driver };
