import { aggregators, tumbling, type KStream } from '../../src/index.js';
import { TestDriver } from '../../src/testing/index.js';

const driver = TestDriver.create(
  (input: KStream<string, number>) => input.window(tumbling('10s')).aggregate(aggregators.count()),
  {
    startTime: 1_000, // the virtual wall clock, aligned with the event times below
    watermark: { maxOutOfOrderness: '1s', idleTimeout: '5s', idleClose: true, maxFutureSkew: '1m' },
  },
);

driver.send('a', 1, 2_000); // watermark 1 s
driver.send('a', 1, 3_600_000); // an hour ahead of the clock: diverted, moves nothing
const reasons = driver.diverted.map((d) => d.reason); // ['future']

driver.setCaughtUp(false).advanceClock('20s'); // replaying a backlog: no idle close
const duringBacklog = driver.values().length; // 0

driver.setCaughtUp(true).advanceClock('1s'); // caught up and quiet: the watermark follows the clock
const marks = driver.watermarks; // [1000, 21000]  (clock 22 s − 1 s)
const closed = driver.values().map((r) => r.window); // [{ start: 0, end: 10000 }]
// ---- end of documented example ----
export { closed, duringBacklog, marks, reasons };
