/** How the page writes numbers and times: one fixed locale (en-US) and UTC, labelled as such. */

const price2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const smallPrice = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 6 });
const quantity = new Intl.NumberFormat('en-US', { minimumFractionDigits: 4, maximumFractionDigits: 4 });
const percent = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * A price: two decimals when prices are 1 or more, six significant digits below (`0.000123`). `scale` is
 * a price of the same symbol, for a difference of prices (a change of 0.5 USDT on BTC is `0.50`).
 */
export const formatPrice = (n: number, scale = n): string =>
  (Math.abs(scale) >= 1 ? price2 : smallPrice).format(n);

/** A quantity of the base asset, four decimals. */
export const formatQuantity = (n: number): string => quantity.format(n);

/** A signed change of a price near `scale`, with its unit and percentage: `+12.34 USDT (+0.02 %)`. */
export const formatChange = (change: number, changePercent: number, scale: number, unit?: string): string => {
  const sign = (n: number) => (n > 0 ? '+' : n < 0 ? '−' : '±');
  const amount = `${sign(change)}${formatPrice(Math.abs(change), scale)}${unit === undefined ? '' : ` ${unit}`}`;
  return `${amount} (${sign(changePercent)}${percent.format(Math.abs(changePercent))} %)`;
};

const pad = (n: number) => String(n).padStart(2, '0');

/** `2024-08-09 00:05:05` in UTC. */
export const formatUtc = (ms: number): string => {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
};
