import { raw, string } from '../../src/index.js';

const keys = string();
const key = keys.deserialize(keys.serialize('BTCUSDT'));
// { _tag: 'Right', right: 'BTCUSDT' }
const tombstone = keys.deserialize(null, { topic: 'prices', partition: 1, offset: '7' });
// { _tag: 'Left', left: { code: 'DECODE_FAILED', reason: 'null',
//   message: 'string cannot decode prices/1@7: the value is null', … } }
const notText = keys.deserialize(new Uint8Array([0x66, 0xff]));
// { _tag: 'Left', left: { code: 'DECODE_FAILED', reason: 'invalid-utf8', … } }

const payload = new Uint8Array([0x0a, 0x03, 0x42]);
const passed = raw().deserialize(payload);
// { _tag: 'Right', right: payload } — the same array, not a copy
// ---- end of documented example ----
export { key, notText, passed, payload, tombstone };
