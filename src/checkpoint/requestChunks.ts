import type { LogMessage } from './LogTransport.js';

/** Well under a broker's default 1 MiB `message.max.bytes`. */
const MAX_REQUEST_BYTES = 512 * 1024;

/** Roughly what a message weighs on the wire: its bytes plus per-record and per-header overhead. */
const sizeOf = (m: LogMessage): number => {
  let size = 64 + (m.key?.byteLength ?? 0) + (m.value?.byteLength ?? 0);
  if (m.headers) {
    for (const [name, value] of Object.entries(m.headers)) size += 16 + name.length * 3 + value.length * 3;
  }
  return size;
};

/**
 * Consecutive runs of `messages`, each of about 512 KiB at most (a message larger than that alone): a
 * large batch sent in one request (dead letters with their headers, say) would be refused by the broker.
 */
export function* requestChunks(messages: readonly LogMessage[]): Generator<LogMessage[]> {
  let chunk: LogMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = sizeOf(m);
    if (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(m);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
