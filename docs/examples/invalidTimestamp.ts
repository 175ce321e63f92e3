import type { KStream } from '../../src/index.js';
import { TestDriver } from '../../src/testing/index.js';

const driver = TestDriver.create((input: KStream<string, number>) => input);

driver.send('a', 1, Number.NaN).send('a', 2, 1_000);

const values = driver.values(); // [2]
const [invalid] = driver.diverted;
// invalid.reason          'invalid'
// invalid.operator        'withWatermarks' (the source's watermark step)
// invalid.error.code      'TIMESTAMP_INVALID'
// invalid.error.origin    { topic: 'input', partition: 0, offset: '0' }
// ---- end of documented example ----
export { invalid, values };
