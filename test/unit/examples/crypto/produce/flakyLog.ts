import { MemoryLog, memoryTransport, type LogRecord, type LogTransport } from '../../../../../src/index.js';

/**
 * The in-memory log behind a switch: while `down`, every call fails as an unreachable broker's would.
 * Each send that the log took is noted with the (virtual) time.
 */
export const flakyLog = () => {
  const log = new MemoryLog();
  const state = { down: false, sends: [] as { topic: string; at: number; count: number }[] };
  const unreachable = () => {
    if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:19092');
  };
  const transport = (): LogTransport => {
    const inner = memoryTransport(log);
    return {
      ...inner,
      ensureTopics: async (specs) => {
        unreachable();
        return inner.ensureTopics(specs);
      },
      producer: async () => {
        unreachable();
        const producer = await inner.producer();
        return {
          send: async (topic, messages) => {
            unreachable();
            state.sends.push({ topic, at: Date.now(), count: messages.length });
            return producer.send(topic, messages);
          },
          close: () => producer.close(),
        };
      },
    };
  };
  const decoder = new TextDecoder();
  /** Every record of partition 0 of `topic`. */
  const records = (topic: string): LogRecord[] =>
    log.topics().includes(topic) ? [...log.fetch(topic, 0, '0', 1_000_000).records] : [];
  const values = (topic: string): string[] => records(topic).map((r) => decoder.decode(r.value!));
  return { log, state, transport, records, values };
};
