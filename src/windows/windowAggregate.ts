import { Observable } from 'rxjs';
import { Diverted, pushWatermark, Watermark, type Chunk, type Element } from '../core/Chunk.js';
import { operatorFailed, TributaryException } from '../core/errors.js';
import { chainStages, materialize, type AnyStage } from '../core/Stage.js';
import { WatermarkAssigner, type WatermarkRuntime } from '../core/withWatermarks.js';
import type { WatermarkSettings } from '../time/WatermarkTracker.js';
import type { StateProbe } from '../core/RunContext.js';
import type { StreamRecord } from '../core/StreamRecord.js';
import { invalidTimestamp, isValidTimestamp } from '../time/TimestampExtractor.js';
import type { Aggregator } from './Aggregator.js';
import { PaneStore } from './PaneStore.js';
import { PartitionedStore } from './PartitionedStore.js';
import { SessionStore } from './SessionStore.js';
import { SlidingStore } from './SlidingStore.js';
import type { EmitMode, WindowResult } from './WindowResult.js';
import type { EmitWindow, Unplaced, WindowStore } from './WindowStore.js';
import type { WindowSpec } from './WindowSpec.js';

const NO_HEADERS = Object.freeze({});

/** Creates the store for a window spec. */
export const createWindowStore = <K, V, A, R>(
  spec: WindowSpec,
  aggregator: Aggregator<V, A, R>,
  mode: EmitMode,
  emit: EmitWindow<K, R>,
  unplaced: Unplaced<K, V>,
): WindowStore<K, V> => {
  switch (spec.kind) {
    case 'tumbling':
      return new PaneStore(spec.sizeMs, spec.sizeMs, spec.graceMs, aggregator, mode, emit);
    case 'hopping':
      return new PaneStore(spec.sizeMs, spec.advanceMs, spec.graceMs, aggregator, mode, emit);
    case 'sliding':
      return new SlidingStore(spec.timeDifferenceMs, spec.graceMs, aggregator, mode, emit, unplaced);
    case 'session':
      return new SessionStore(spec.gapMs, spec.graceMs, aggregator, mode, emit);
  }
};

/** How a windowed aggregation is wired into its run. */
export interface WindowAggregateRuntime {
  /** Receives late and invalid records. */
  readonly divert: (diverted: Diverted) => void;
  /** Registers the store's state probe. */
  readonly register?: (probe: StateProbe) => void;
  /** Operator name, for diverted records and errors. */
  readonly name?: string;
  /** Stateless operators chained in front of the store, and their names. */
  readonly stages?: readonly AnyStage[];
  readonly stageNames?: readonly string[];
  /**
   * Keeps state per input partition, for a runtime that moves partitions between instances (see
   * {@link PartitionedStore}); needs `watermarks` to follow each partition's event time.
   */
  readonly partitioned?: boolean;
  /** Set when the input is a source's chunks before watermarks: the operator assigns them inline. */
  readonly watermarks?: { readonly settings: WatermarkSettings; readonly runtime: WatermarkRuntime };
}

/**
 * The windowed aggregation as a chunk operator: records (after any chained stateless stages) go into the
 * store, watermarks close windows, late records are diverted with reason `late`. Output records carry the
 * key, a {@link WindowResult} and the timestamp `end − 1` (the window's last instant), and watermarks pass
 * on downstream.
 */
export const windowAggregate =
  <K, V, A, R, E extends EmitMode>(
    spec: WindowSpec,
    aggregator: Aggregator<V, A, R>,
    mode: E,
    runtime: WindowAggregateRuntime,
  ) =>
  (source: Observable<Chunk<unknown, unknown>>): Observable<Chunk<K, WindowResult<R, E>>> =>
    new Observable((subscriber) => {
      const { divert, name = 'window', stages = [], stageNames = [] } = runtime;
      let out: Element<K, WindowResult<R, E>>[] = [];
      let watermark = -Infinity;
      const emit: EmitWindow<K, R> = (emitted, key, start, end, value) => {
        out.push({
          key,
          value: { emit: emitted as E, window: { start, end }, value },
          timestamp: end - 1,
          headers: NO_HEADERS,
        });
      };
      const late = (r: StreamRecord<K, V>, why: string): Diverted =>
        new Diverted(
          r,
          'late',
          {
            _tag: 'TributaryError',
            code: 'RECORD_LATE',
            message: `record at ${r.timestamp} is late: ${why} (watermark ${watermark})`,
            retriable: false,
            ...(r.origin ? { origin: r.origin } : {}),
          },
          name,
        );
      const create = (): WindowStore<K, V> =>
        createWindowStore<K, V, A, R>(spec, aggregator, mode, emit, (r) =>
          divert(late(r, `no ${spec.kind} window containing it was created before they all closed`)),
        );
      const partitioned =
        runtime.partitioned === true
          ? new PartitionedStore(create, (p) => (assigner ? assigner.partitionWatermark(p) : Infinity))
          : undefined;
      const store = partitioned ?? create();
      runtime.register?.(store);
      const closedWhy = `every ${spec.kind} window containing it closed`;
      const add = chainStages<unknown, unknown, K, V>(stages, (key, value, timestamp, headers, from) => {
        if (!isValidTimestamp(timestamp)) {
          // A `map` upstream may have set it: such a record has no place in event time.
          const r = materialize(key, value, timestamp, headers, from);
          divert(new Diverted(r, 'invalid', invalidTimestamp(timestamp, r.origin), name));
        } else if (!store.add(key, value, timestamp, headers, from)) {
          divert(late(materialize(key, value, timestamp, headers, from), closedWhy));
        }
      });
      const failing = [...stageNames, name].join(' → ');
      let current: StreamRecord<unknown, unknown> | undefined;
      const onWatermark = (w: Watermark): void => {
        if (w.time > watermark) {
          watermark = w.time;
          store.advance(watermark);
          pushWatermark(out, w);
        }
      };
      const flush = (): void => {
        if (out.length === 0) return;
        const ready = out;
        out = [];
        subscriber.next(ready);
      };
      // A user function threw: fail the stream rather than lose the record or the windows it was in.
      const fail = (cause: unknown): void => {
        const failed = assigner ? assigner.inFlight : current;
        subscriber.error(new TributaryException(operatorFailed(failing, cause, failed?.origin)));
      };
      const assigner =
        runtime.watermarks &&
        new WatermarkAssigner<unknown, unknown>(runtime.watermarks.settings, runtime.watermarks.runtime, {
          record: add,
          watermark: (w) => {
            try {
              onWatermark(w);
            } catch (cause) {
              fail(cause);
            }
          },
          flush,
        });
      const subscription = source.subscribe({
        next(chunk) {
          try {
            if (assigner) assigner.chunk(chunk);
            else {
              for (let i = 0; i < chunk.length; i++) {
                const e = chunk[i]!;
                if (e instanceof Watermark) onWatermark(e);
                else {
                  current = e;
                  add(e.key, e.value, e.timestamp, e.headers, e);
                }
              }
            }
            partitioned?.closeBehind();
          } catch (cause) {
            fail(cause);
            return;
          }
          flush();
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          assigner?.end();
          flush();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        assigner?.dispose();
      };
    });
