import { aggregators, tumbling, type KStream } from '../../src/index.js';
import { TestDriver } from '../../src/testing/index.js';

const driver = TestDriver.create((clicks: KStream<string, number>) =>
  clicks.window(tumbling('10s', { grace: '2s' })).aggregate(aggregators.count(), { name: 'clicks-10s' }),
);

driver
  .send('a', 1, 1_000)
  .send('a', 1, 11_000) // watermark 11 s: [0, 10 s) stays open until 12 s
  .send('a', 1, 9_000) // within grace: counted
  .send('a', 1, 13_000) // watermark 13 s: [0, 10 s) closes
  .send('a', 1, 8_000); // late

const counts = driver.values().map((r) => r.value); // [2]
const late = driver.late().map((r) => r.timestamp); // [8000]
const [diverted] = driver.diverted;
// diverted.reason    'late'
// diverted.operator  'clicks-10s'
// diverted.error     { _tag: 'TributaryError', code: 'RECORD_LATE', retriable: false,
//                      message: 'record at 8000 is late: every tumbling window containing it closed (watermark 13000)',
//                      origin: { topic: 'input', partition: 0, offset: '4' } }
// ---- end of documented example ----
export { counts, diverted, late };
