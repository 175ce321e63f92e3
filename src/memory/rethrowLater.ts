/**
 * Rethrows a callback's error from a microtask. The memory log calls user callbacks (group listeners,
 * subscribers) in the middle of its own work; finishing that work keeps the log consistent for everyone
 * else, and throwing afterwards from a fresh task makes the failure an uncaught exception instead of
 * swallowing it or failing an unrelated caller. Internal to the memory log.
 */
export const rethrowLater = (error: unknown): void => {
  queueMicrotask(() => {
    throw error;
  });
};
