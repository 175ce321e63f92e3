import { distinctUntilChanged } from 'rxjs';
import type { KStream } from '../../src/index.js';
import { TestDriver } from '../../src/testing/index.js';

interface Reading {
  readonly sensor: string;
  readonly celsius: number;
}

const driver = TestDriver.create((readings: KStream<null, Reading>) => {
  const bySensor = readings
    .filter((r) => Number.isFinite(r.celsius))
    .selectKey((r) => r.sensor)
    .mapValues((r) => r.celsius);
  const [frost, normal] = bySensor.branch((celsius) => celsius < 0);
  const alerts = frost!.mapValues((celsius) => `frost: ${celsius} °C`);
  const changes = normal!
    .through(distinctUntilChanged((a, b) => a.key === b.key && a.value === b.value))
    .mapValues((celsius) => `${celsius} °C`);
  return alerts.merge(changes);
});

driver
  .send(null, { sensor: 'roof', celsius: 4 }, 1_000)
  .send(null, { sensor: 'roof', celsius: 4 }, 2_000)
  .send(null, { sensor: 'roof', celsius: -1 }, 3_000)
  .send(null, { sensor: 'cellar', celsius: Number.NaN }, 4_000)
  .send(null, { sensor: 'roof', celsius: 5 }, 5_000);

const lines = driver.outputs.map((r) => `${r.key}: ${r.value}`);
// ['roof: 4 °C', 'roof: frost: -1 °C', 'roof: 5 °C']
// ---- end of documented example ----
export { lines };
