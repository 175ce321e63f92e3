/** Lines of the recorded Binance captures, verbatim, and the slices of them in the repository. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const DATA = new URL('../../../../examples/crypto/data/', import.meta.url);

export const BTC_TRADE =
  '1723161254087896568 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}}';

export const ETH_TRADE_0809 =
  '1723161600277555785 {"stream":"ethusdt@trade","data":{"e":"trade","E":1723161601551,"s":"ETHUSDT","t":1520545031,"p":"2682.51000000","q":"0.00460000","T":1723161601550,"m":false,"M":true}}';

/** From the 2023 recording: local time in microseconds, and the buyer's and seller's order ids. */
export const BTC_TRADE_2023 =
  '1680652800004107 {"stream":"btcusdt@trade","data":{"e":"trade","E":1680652800000,"s":"BTCUSDT","t":3071245454,"p":"28165.47000000","q":"0.00056000","b":20720542158,"a":20720542592,"T":1680652799999,"m":true,"M":true}}';

export const BTC_BOOK_TICKER =
  '1723161254087891268 {"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}';

export const ETH_DEPTH =
  '1723161254036052868 {"stream":"ethusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255308,"s":"ETHUSDT","U":35346513499,"u":35346513505,"b":[["2683.80000000","3.02920000"],["2679.00000000","28.21530000"],["2674.81000000","1.47500000"],["2674.54000000","0.00310000"],["2639.02000000","2.00000000"],["2500.00000000","352.90500000"]],"a":[["2733.70000000","0.00000000"]]}}';

/** The first minute of each 2024-08-08 recording, as committed in examples/crypto/data/. */
export const SLICES = {
  BTCUSDT: {
    file: new URL('btcusdt_20240808_head.gz', DATA).pathname,
    lines: 7_344,
    trades: 1_382,
    bookTickers: 5_361,
    depthUpdates: 600,
  },
  ETHUSDT: {
    file: new URL('ethusdt_20240808_head.gz', DATA).pathname,
    lines: 6_796,
    trades: 1_119,
    bookTickers: 5_079,
    depthUpdates: 597,
  },
} as const;

/** Every line of a slice. */
export const sliceLines = (slice: keyof typeof SLICES): string[] =>
  gunzipSync(readFileSync(SLICES[slice].file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '');
