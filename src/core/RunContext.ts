import {
  asyncScheduler,
  filter,
  Observable,
  ReplaySubject,
  share,
  Subject,
  take,
  type SchedulerLike,
} from 'rxjs';
import type { Diverted } from './Chunk.js';
import type { WatermarkState } from './withWatermarks.js';

/**
 * What a stateful operator reports about the state it holds (for tests and metrics) and, when its state is
 * checkpointed, how a runtime reads and restores it per key and input partition.
 */
export interface StateProbe {
  /** Number of entries (panes, windows, sessions, buffered records) currently held. */
  entries(): number;
  /** Keys changed since the last call, for the owned partitions; `state` undefined: the key holds nothing. */
  changes?(owned: (partition: number) => boolean): { key: unknown; partition: number; state: unknown }[];
  /** Loads a key's state as a checkpoint wrote it. */
  restore?(key: unknown, partition: number, snapshot: unknown): void;
  /** Forgets the keys of these partitions. */
  drop?(partitions: ReadonlySet<number>): void;
}

/**
 * One running instance of a topology. Streams are descriptions; `run` builds them against a context, which
 * shares every node between its consumers (a branch runs its parent once), holds sources back until every
 * output is subscribed, and owns the scheduler that time-based operators use.
 */
export class RunContext {
  readonly scheduler: SchedulerLike;
  readonly stores = new Map<string, StateProbe>();
  /** Each source's watermark state, by source name. */
  readonly watermarks = new Map<string, WatermarkState>();
  private readonly built = new Map<object, Observable<unknown>>();
  private readonly gate = new ReplaySubject<true>(1);
  private readonly divertedSubject = new Subject<Diverted>();
  /** Every record an operator took off its stream, as it happens. */
  readonly diverted: Observable<Diverted> = this.divertedSubject.asObservable();
  /** Counts of diverted records by reason. */
  readonly divertedCounts = { late: 0, future: 0, invalid: 0 };

  /**
   * Whether stateful operators keep their state per input partition, as a runtime that moves partitions
   * between instances needs (each partition's state is checkpointed, dropped and restored on its own).
   */
  readonly partitionedState: boolean;

  constructor(options: { readonly scheduler?: SchedulerLike; readonly partitionedState?: boolean } = {}) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.partitionedState = options.partitionedState ?? false;
  }

  /** Builds `node` once per context and shares it between all its consumers. */
  node<T>(key: object, make: () => Observable<T>): Observable<T> {
    let built = this.built.get(key) as Observable<T> | undefined;
    if (built === undefined) {
      built = make().pipe(share());
      this.built.set(key, built);
    }
    return built;
  }

  /** Wraps a source so it starts only once {@link start} is called. */
  source<T>(input: Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      const ready = this.gate.pipe(filter(Boolean), take(1)).subscribe(() => {
        subscriber.add(input.subscribe(subscriber));
      });
      return ready;
    });
  }

  /** Registers a stateful operator's probe under a unique name. */
  register(name: string, probe: StateProbe): string {
    let unique = name;
    for (let i = 2; this.stores.has(unique); i++) unique = `${name}-${i}`;
    this.stores.set(unique, probe);
    return unique;
  }

  /** Total entries held by every stateful operator of this run. */
  stateEntries(): number {
    let total = 0;
    for (const probe of this.stores.values()) total += probe.entries();
    return total;
  }

  /** Hands a diverted record to the side output. */
  readonly divert = (diverted: Diverted): void => {
    this.divertedCounts[diverted.reason]++;
    this.divertedSubject.next(diverted);
  };

  /** Lets the sources flow. Call after every output is subscribed. */
  start(): void {
    this.gate.next(true);
  }
}
