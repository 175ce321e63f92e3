/** A window's bounds; `end` is exclusive for every window kind. */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/** `final`: each window once, when it closes. `updates`: the current result on every change. */
export type EmitMode = 'final' | 'updates';

/**
 * The value of a windowed aggregation's output record. `emit` says which mode produced it, so a consumer
 * can tell a final result from an intermediate one by type.
 *
 * @example
 * ```ts
 * import type { WindowResult } from 'tributary';
 * const describe = (r: WindowResult<number, 'final'>) => `${r.window.start}..${r.window.end}: ${r.value}`;
 * ```
 */
export interface WindowResult<R, E extends EmitMode = EmitMode> {
  readonly emit: E;
  readonly window: Window;
  readonly value: R;
}
