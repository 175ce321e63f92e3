import { partitionOf, record } from '../../src/index.js';

const trade = record('BTCUSDT', 64_000.5, Date.UTC(2024, 7, 9), { source: 'binance' });
const origin = { topic: 'trades', partition: 3, offset: '1042' };
const fromLog = record('BTCUSDT', 64_010, Date.UTC(2024, 7, 9, 0, 0, 1), {}, origin);

const partitions = [partitionOf(trade), partitionOf(fromLog)]; // [0, 3]
// ---- end of documented example ----
export { fromLog, partitions, trade };
