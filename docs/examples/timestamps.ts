import * as E from 'fp-ts/lib/Either.js';
import {
  fromField,
  kafkaTimestamp,
  record,
  type StreamRecord,
  type TributaryError,
} from '../../src/index.js';

interface Trade {
  readonly s: string;
  readonly p: number;
  readonly T: number;
}

const tradeTime = fromField((trade: Trade) => trade.T);

const ok = tradeTime({ s: 'BTCUSDT', p: 64_000, T: 1_723_161_600_000 }, 0);
// { _tag: 'Right', right: 1723161600000 }
const bad = tradeTime({ s: 'BTCUSDT', p: 64_000, T: Number.NaN }, 0);
// { _tag: 'Left', left: { _tag: 'TributaryError', code: 'TIMESTAMP_INVALID', … } }
const logTime = kafkaTimestamp<Trade>()({ s: 'BTCUSDT', p: 64_000, T: 0 }, 1_723_161_600_123);
// { _tag: 'Right', right: 1723161600123 }

const toRecord = (
  trade: Trade,
  logTimestamp: number,
): E.Either<TributaryError, StreamRecord<string, Trade>> =>
  E.map((timestamp: number) => record(trade.s, trade, timestamp))(tradeTime(trade, logTimestamp));
// ---- end of documented example ----
export { bad, logTime, ok, toRecord };
