/**
 * The crypto example's live dashboard: a page served by the running example with a candle chart and the
 * 30 s moving average per symbol, updated over a WebSocket, its ranges read from InfluxDB or from memory.
 * See README.md in this folder.
 */
export {
  baseAsset,
  knownAt,
  plotTime,
  quoteAsset,
  type AverageEvent,
  type CandleEvent,
  type DashboardEvent,
  type TradeEvent,
} from './DashboardEvent.js';
export type { HistoryExtent, HistoryOptions, HistorySource, RecordingHistory } from './HistorySource.js';
export { inMemoryHistory, type InMemoryHistoryOptions } from './inMemoryHistory.js';
export { influxHistory, type InfluxHistoryOptions } from './influxHistory.js';
export { averagePoints, candlePoints, MEASUREMENTS } from '../influxSchema.js';
export { candleEvent, dashboardFeed, type DashboardFeed } from './dashboardFeed.js';
export {
  startDashboard,
  type Dashboard,
  type DashboardLogger,
  type DashboardOptions,
} from './startDashboard.js';
