import { Observable } from 'rxjs';
import { Diverted, pushWatermark, Watermark, type Chunk, type Element } from '../core/Chunk.js';
import { operatorFailed, TributaryException } from '../core/errors.js';
import type { StateProbe } from '../core/RunContext.js';
import type { StreamRecord } from '../core/StreamRecord.js';
import { invalidTimestamp, isValidTimestamp } from '../time/TimestampExtractor.js';
import type { Aggregator } from './Aggregator.js';
import { PaneStore } from './PaneStore.js';
import { SessionStore } from './SessionStore.js';
import { SlidingStore } from './SlidingStore.js';
import type { EmitMode, WindowResult } from './WindowResult.js';
import type { EmitWindow, WindowStore } from './WindowStore.js';
import type { WindowSpec } from './WindowSpec.js';

const NO_HEADERS = Object.freeze({});

/** Creates the store for a window spec. */
export const createWindowStore = <K, V, A, R>(
  spec: WindowSpec,
  aggregator: Aggregator<V, A, R>,
  mode: EmitMode,
  emit: EmitWindow<K, R>,
): WindowStore<K, V> => {
  switch (spec.kind) {
    case 'tumbling':
      return new PaneStore(spec.sizeMs, spec.sizeMs, spec.graceMs, aggregator, mode, emit);
    case 'hopping':
      return new PaneStore(spec.sizeMs, spec.advanceMs, spec.graceMs, aggregator, mode, emit);
    case 'sliding':
      return new SlidingStore(spec.timeDifferenceMs, spec.graceMs, aggregator, mode, emit);
    case 'session':
      return new SessionStore(spec.gapMs, spec.graceMs, aggregator, mode, emit);
  }
};

/**
 * The windowed aggregation as a chunk operator: records go into the store, watermarks close windows, late
 * records are diverted with reason `late`. Output records carry the key, a {@link WindowResult} and the
 * timestamp `end − 1` (the window's last instant), and watermarks pass on downstream.
 */
export const windowAggregate =
  <K, V, A, R, E extends EmitMode>(
    spec: WindowSpec,
    aggregator: Aggregator<V, A, R>,
    mode: E,
    divert: (diverted: Diverted) => void,
    register: (probe: StateProbe) => void = () => undefined,
    name = 'window',
  ) =>
  (source: Observable<Chunk<K, V>>): Observable<Chunk<K, WindowResult<R, E>>> =>
    new Observable((subscriber) => {
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
      const store = createWindowStore<K, V, A, R>(spec, aggregator, mode, emit);
      register(store);
      const late = (r: StreamRecord<K, V>): Diverted =>
        new Diverted(
          r,
          'late',
          {
            _tag: 'TributaryError',
            code: 'RECORD_LATE',
            message: `record at ${r.timestamp} is late: every ${spec.kind} window containing it closed (watermark ${watermark})`,
            retriable: false,
            ...(r.origin ? { origin: r.origin } : {}),
          },
          name,
        );
      return source.subscribe({
        next(chunk) {
          let i = 0;
          try {
            for (; i < chunk.length; i++) {
              const e = chunk[i]!;
              if (e instanceof Watermark) {
                if (e.time > watermark) {
                  watermark = e.time;
                  store.advance(watermark);
                  pushWatermark(out, e);
                }
              } else if (!isValidTimestamp(e.timestamp)) {
                // A `map` upstream may have set it: such a record has no place in event time.
                divert(new Diverted(e, 'invalid', invalidTimestamp(e.timestamp, e.origin), name));
              } else if (!store.add(e.key, e.value, e.timestamp)) divert(late(e));
            }
          } catch (cause) {
            // An aggregator threw: fail the stream rather than lose the record or the windows it was in.
            const e = chunk[i];
            const origin = e instanceof Watermark ? undefined : e?.origin;
            subscriber.error(new TributaryException(operatorFailed(name, cause, origin)));
            return;
          }
          if (out.length > 0) {
            const ready = out;
            out = [];
            subscriber.next(ready);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
