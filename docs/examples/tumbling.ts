import { aggregators, tumbling, type KStream } from '../../src/index.js';
import { TestDriver } from '../../src/testing/index.js';

const driver = TestDriver.create((views: KStream<string, number>) =>
  views.window(tumbling('10s')).aggregate(aggregators.count()),
);

driver.send('home', 1, 1_000).send('home', 1, 7_000).send('cart', 1, 8_000).send('home', 1, 13_000).end();

const lines = driver.outputs.map(
  (r) => `${r.key} [${r.value.window.start}, ${r.value.window.end}) ${r.value.value}`,
);
// ['home [0, 10000) 2', 'cart [0, 10000) 1', 'home [10000, 20000) 1']
// ---- end of documented example ----
export { lines };
