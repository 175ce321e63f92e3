import { Duration } from '../../src/index.js';

const half = Duration.unsafeToMillis('500ms'); // 500
const ninety = Duration.unsafeToMillis('1m30s'); // 90000
const fractional = Duration.unsafeToMillis('1.5s'); // 1500
const plain = Duration.unsafeToMillis(250); // 250
const text = Duration.format(5_400_000); // '1h30m'
const wrong = Duration.toMillis('30 seconds', 'window.size');
// { _tag: 'Left', left: { code: 'CONFIG_INVALID', field: 'window.size', … } }
// ---- end of documented example ----
export { fractional, half, ninety, plain, text, wrong };
