import type { DashboardEvent } from './DashboardEvent.js';

/** What a history query returns besides the range. */
export interface HistoryOptions {
  /** Candle intervals wanted (`['1m']`); all of them when absent. */
  readonly intervals?: readonly string[];
}

/** What a history holds: its symbols with their candle intervals, and the latest time it knows of. */
export interface HistoryExtent {
  /** Symbol → candle intervals held for it (possibly none, when only averages are). */
  readonly symbols: Readonly<Record<string, readonly string[]>>;
  /** The latest `knownAt` time of the results held (window ends), `undefined` when empty. */
  readonly latest: number | undefined;
}

/**
 * Where the dashboard reads past results from: the embedded run's memory ({@link inMemoryHistory}) or the
 * InfluxDB the example writes to ({@link influxHistory}). A history holds window results (averages and
 * candles); trades are live only.
 */
export interface HistorySource {
  /**
   * The symbol's averages and candles whose `plotTime` is within `[from, to]` (ms, both inclusive), in
   * time order per series.
   */
  query(
    symbol: string,
    from: number,
    to: number,
    options?: HistoryOptions,
  ): Promise<readonly DashboardEvent[]>;
  /** The symbols held and the latest time, so a page opened after a run still finds its results. */
  extent(): Promise<HistoryExtent>;
}

/** A history the dashboard fills itself with every event it receives. */
export interface RecordingHistory extends HistorySource {
  add(event: DashboardEvent): void;
}

/** Whether the dashboard should record the events it receives into `history`. */
export const isRecording = (history: HistorySource): history is RecordingHistory =>
  typeof (history as Partial<RecordingHistory>).add === 'function';
