/**
 * Brute-force reference of the replay rules, written from the rules alone: no library code, no panes, no
 * watermark markers, just loops over every trade and every window.
 *
 * Input. Each line is `<integer local time> <JSON>`. The lines of all files are ordered by local time
 * (as integers, exactly); equal times keep file order, then line order. Blank lines and lines that are
 * not `<integer> <JSON object>` are left out (the latter are counted as unreadable).
 *
 * Trades. A message is a trade when it is `{"stream": …, "data": {…}}` with `data.e === "trade"`, or a
 * `…@trade` stream, or a bare object with `e === "trade"`. Every other message is skipped and counted. A
 * trade is valid when `e` is "trade" or missing, `s` a non-empty string, `p` and `q` plain decimal strings of finite
 * numbers greater than zero, `T` a non-negative integer; an invalid trade is rejected (counted) and
 * changes nothing.
 *
 * Windows. Windows are `[s, s + size)` for every integer multiple `s` of the slide (negative ones too).
 * A trade at `T` belongs to each one with `s <= T < s + size`. The watermark `W` starts at −∞. For each
 * valid trade in input order: every window of the trade with `s + size > W` (still open) gets it; if none
 * is open, the trade is late. Then `W = max(W, T − delay)`. A window that got no trade does not exist. At
 * the end every window is output: its trades' prices summed in input order and divided by their count,
 * their quantities summed in input order; sorted by end, then symbol.
 */

export interface ReferenceSettings {
  readonly windowMs: number;
  readonly slideMs: number;
  readonly watermarkMs: number;
}

export interface ReferenceResult {
  /** `JSON.stringify` of each window, in output order. */
  readonly windows: string[];
  /** `JSON.stringify` of each late trade's `data` object, in input order. */
  readonly late: string[];
  readonly rejected: number;
  readonly unreadable: number;
  readonly skipped: number;
}

const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

const positiveDecimal = (u: unknown): number | undefined => {
  if (typeof u !== 'string' || !DECIMAL.test(u)) return undefined;
  const n = Number(u);
  return Number.isFinite(n) && n > 0 ? n : undefined;
};

interface Line {
  readonly time: bigint;
  readonly message: Record<string, unknown>;
}

interface RefWindow {
  readonly symbol: string;
  readonly start: number;
  readonly prices: number[];
  readonly quantities: number[];
}

export const referenceReplay = (
  files: readonly (readonly string[])[],
  { windowMs, slideMs, watermarkMs }: ReferenceSettings,
): ReferenceResult => {
  let unreadable = 0;
  let skipped = 0;
  const lines: Line[] = [];
  for (const file of files) {
    for (const text of file) {
      const trimmed = text.trim();
      if (trimmed === '') {
        skipped++;
        continue;
      }
      const space = trimmed.search(/[ \t]/);
      const time = trimmed.slice(0, space);
      if (space < 1 || !/^\d+$/.test(time)) {
        unreadable++;
        continue;
      }
      let message: unknown;
      try {
        message = JSON.parse(trimmed.slice(space + 1));
      } catch {
        unreadable++;
        continue;
      }
      if (typeof message !== 'object' || message === null || Array.isArray(message)) {
        unreadable++;
        continue;
      }
      lines.push({ time: BigInt(time), message: message as Record<string, unknown> });
    }
  }
  // Array.prototype.sort is stable: equal times keep file, then line order.
  lines.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));

  const windows = new Map<string, RefWindow>();
  const late: string[] = [];
  let rejected = 0;
  let watermark = -Infinity;
  for (const { message } of lines) {
    let trade: unknown;
    if (typeof message['stream'] === 'string' || 'data' in message) {
      const data = message['data'] as Record<string, unknown> | undefined;
      const event = typeof data === 'object' && data !== null ? data['e'] : undefined;
      const stream = message['stream'];
      const isTrade =
        event === 'trade' ||
        (typeof event !== 'string' && typeof stream === 'string' && stream.endsWith('@trade'));
      if (!isTrade) {
        skipped++;
        continue;
      }
      if (!('data' in message)) {
        unreadable++;
        continue;
      }
      trade = data;
    } else if (message['e'] === 'trade') {
      trade = message;
    } else {
      skipped++;
      continue;
    }
    const t = trade as Record<string, unknown> | null;
    const price = positiveDecimal(t?.['p']);
    const qty = positiveDecimal(t?.['q']);
    const time = t?.['T'];
    const symbol = t?.['s'];
    if (
      t === null ||
      typeof t !== 'object' ||
      (t['e'] !== undefined && t['e'] !== 'trade') ||
      typeof symbol !== 'string' ||
      symbol === '' ||
      price === undefined ||
      qty === undefined ||
      typeof time !== 'number' ||
      !Number.isSafeInteger(time) ||
      time < 0
    ) {
      rejected++;
      continue;
    }

    let counted = false;
    for (let start = Math.floor(time / slideMs) * slideMs; start > time - windowMs; start -= slideMs) {
      if (start + windowMs <= watermark) continue; // closed
      const key = `${symbol} ${start}`;
      let w = windows.get(key);
      if (w === undefined) {
        w = { symbol, start, prices: [], quantities: [] };
        windows.set(key, w);
      }
      w.prices.push(price);
      w.quantities.push(qty);
      counted = true;
    }
    if (!counted) late.push(JSON.stringify(trade));
    watermark = Math.max(watermark, time - watermarkMs);
  }

  const output = [...windows.values()]
    .map((w) => {
      let prices = 0;
      let volume = 0;
      for (let i = 0; i < w.prices.length; i++) {
        prices += w.prices[i]!;
        volume += w.quantities[i]!;
      }
      return {
        symbol: w.symbol,
        windowStart: w.start,
        windowEnd: w.start + windowMs,
        average_price: prices / w.prices.length,
        count: w.prices.length,
        volume,
      };
    })
    .sort((a, b) => a.windowEnd - b.windowEnd || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  return { windows: output.map((w) => JSON.stringify(w)), late, rejected, unreadable, skipped };
};
