import { aggregators, session, type KStream } from '../../src/index.js';
import { TestDriver } from '../../src/testing/index.js';

const driver = TestDriver.create(
  (pages: KStream<string, string>) => pages.window(session('5s')).aggregate(aggregators.collect<string>()),
  { watermark: { maxOutOfOrderness: '10s' } },
);

driver
  .send('ann', 'home', 1_000)
  .send('ann', 'search', 3_000)
  .send('ann', 'pay', 12_000) // 9 s after 'search': a second session
  .send('ann', 'cart', 7_000) // within 5 s of both: merges them
  .send('ann', 'home', 30_000)
  .end();

const lines = driver.values().map((r) => `[${r.window.start}, ${r.window.end}) ${r.value.join(' ')}`);
// ['[1000, 12001) home search cart pay', '[30000, 30001) home']
// ---- end of documented example ----
export { lines };
