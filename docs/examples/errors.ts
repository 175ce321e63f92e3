import * as E from 'fp-ts/lib/Either.js';
import { Duration, hopping, TributaryException, type TributaryError } from '../../src/index.js';

// Values: the safe function returns an Either.
const parsed = Duration.toMillis('90 seconds', 'app.window');
const message = E.isLeft(parsed) ? parsed.left.message : '';
// "invalid configuration: app.window must be a duration like '500ms', '30s', '1m', '1h', '1d' or milliseconds, got '90 seconds'"

// Exceptions: constructors throw a TributaryException that carries the same value.
let error: TributaryError | undefined;
try {
  hopping('30s', '1m');
} catch (e) {
  if (e instanceof TributaryException) error = e.error;
}
// {
//   _tag: 'TributaryError',
//   code: 'CONFIG_INVALID',
//   message: 'invalid configuration: hopping.advance must not exceed the size (30000 ms), got 60000 ms',
//   retriable: false,
//   field: 'hopping.advance',
// }
// ---- end of documented example ----
export { error, message };
