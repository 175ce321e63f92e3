import { expect, test } from 'vitest';
import {
  formatChange,
  formatPrice,
  formatQuantity,
  formatUtc,
} from '../../../../../examples/crypto/dashboard/web/format.js';

test('prices have two decimals from 1 up and six significant digits below', () => {
  expect(formatPrice(61_837.625)).toBe('61,837.63');
  expect(formatPrice(2_683.8)).toBe('2,683.80');
  expect(formatPrice(0.000123456)).toBe('0.000123456');
});

test('quantities have four decimals', () => {
  expect(formatQuantity(437.91554)).toBe('437.9155');
});

test('a change carries its sign, unit and percentage', () => {
  expect(formatChange(-235.61, -0.38123, 61_602.02, 'USDT')).toBe('−235.61 USDT (−0.38 %)');
  expect(formatChange(0.5, 0.001, 61_602.02)).toBe('+0.50 (+0.00 %)');
  expect(formatChange(0, 0, 61_602.02, 'USDT')).toBe('±0.00 USDT (±0.00 %)');
  expect(formatChange(0.0000125, 10.2, 0.000135, 'USDT')).toBe('+0.0000125 USDT (+10.20 %)');
});

test('times are UTC, to the second', () => {
  expect(formatUtc(Date.UTC(2024, 7, 9, 0, 5, 5, 999))).toBe('2024-08-09 00:05:05');
});
