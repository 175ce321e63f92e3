import { resolveWatermarkOptions, WatermarkTracker } from '../../src/index.js';

const settings = resolveWatermarkOptions({ maxOutOfOrderness: '2s', idleTimeout: '30s' });
const tracker = new WatermarkTracker(settings, 0, [0, 1]); // wall clock 0, partitions 0 and 1

const w1 = tracker.observe(0, 12_000, 0); // -Infinity: partition 1 has no data yet
const w2 = tracker.observe(1, 10_000, 0); // 8000 = min(12000, 10000) − 2000
const w3 = tracker.observe(1, 40_000, 20_000); // 10000: partition 0 holds it back
const w4 = tracker.tick(30_000, true); // 38000: partition 0 has been idle for 30 s
// ---- end of documented example ----
export { w1, w2, w3, w4 };
