/**
 * Stands in for the package entry in the codecs page's examples until `src/index.ts` exports the codecs
 * layer: it re-exports exactly what the entry is to export from `src/codecs/`. `docs.test.ts` shows each
 * example with `'tributary'` in place of `'./tributary.js'`.
 */
export { deadLetterHeaders } from '../../../../src/codecs/deadLetterHeaders.js';
export {
  decodeFailure,
  formatDecodeFailure,
  reportPaths,
  type DecodeFailure,
  type DecodeFailureReason,
} from '../../../../src/codecs/DecodeFailure.js';
export { finiteNumber } from '../../../../src/codecs/finiteNumber.js';
export { json } from '../../../../src/codecs/json.js';
export { NumberFromString } from '../../../../src/codecs/NumberFromString.js';
export { raw } from '../../../../src/codecs/raw.js';
export type { Serde } from '../../../../src/codecs/Serde.js';
export { string } from '../../../../src/codecs/string.js';
export { timestampMs } from '../../../../src/codecs/timestampMs.js';
