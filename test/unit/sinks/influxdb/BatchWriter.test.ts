import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TributaryException } from '../../../../src/core/errors.js';
import {
  BatchWriter,
  type BatchWriterOptions,
  type RefusedLine,
  type WriteOutcome,
} from '../../../../src/sinks/influxdb/BatchWriter.js';
import { retryPolicy } from '../../../../src/sinks/influxdb/RetryPolicy.js';
import type { WriteFailure } from '../../../../src/sinks/influxdb/WriteFailure.js';

/**
 * A write endpoint that stores lines by point identity (the line up to its fields, plus its timestamp)
 * and answers as InfluxDB 2 does: a 400 listing every line it cannot parse (`unparsable` lines; nothing
 * stored), else a 422 for lines with a string value in field `f` or `g`, which hold numbers (a field type
 * conflict: the first dropped line's reason, and how many were dropped; the others stored). Answers can
 * also be scripted ahead.
 */
class Endpoint {
  readonly stored = new Map<string, string>();
  readonly requests: string[][] = [];
  readonly script: WriteOutcome[] = [];

  readonly send = async (lines: readonly string[]): Promise<WriteOutcome> => {
    this.requests.push([...lines]);
    const scripted = this.script.shift();
    if (scripted) return scripted;
    const unparsable = lines.filter((l) => l.includes('unparsable'));
    if (unparsable.length > 0) {
      const message = unparsable.map((l) => `unable to parse '${l}': invalid field format`).join('\n');
      return { ok: false, failure: { status: 400, message } };
    }
    const conflicting = lines.filter((l) => / [fg]="/.test(l));
    for (const line of lines) if (!conflicting.includes(line)) this.stored.set(identity(line), line);
    if (conflicting.length === 0) return { ok: true };
    const field = / ([fg])="/.exec(conflicting[0]!)![1];
    return {
      ok: false,
      failure: {
        status: 422,
        message: `failure writing points to database: partial write: field type conflict: input field "${field}" on measurement "m" is type string, already exists as type float dropped=${conflicting.length}`,
      },
    };
  };
}

const identity = (line: string): string => {
  const [series, , time] = line.split(' ');
  return `${series} ${time}`;
};

const failure = (f: WriteFailure): WriteOutcome => ({ ok: false, failure: f });
const noAnswer = failure({ message: 'connect ECONNREFUSED 127.0.0.1:8086' });

const line = (series: string, value: number | string, time = 1): string =>
  `m,s=${series} f=${typeof value === 'string' ? `"${value}"` : value} ${time}`;

interface Harness {
  readonly endpoint: Endpoint;
  readonly writer: BatchWriter<string>;
  readonly refused: RefusedLine<string>[];
}

const harness = (options: Partial<BatchWriterOptions<string>> = {}): Harness => {
  const endpoint = new Endpoint();
  const refused: RefusedLine<string>[] = [];
  const writer = new BatchWriter<string>({
    batchSize: 5,
    flushIntervalMs: 1_000,
    lanes: 1,
    retry: retryPolicy({ initialDelay: '500ms', maxDelay: '10s' }),
    send: endpoint.send,
    refused: (lines) => void refused.push(...lines),
    // The longest wait of each backoff step, so that virtual time can name the instant of each attempt.
    random: () => 1,
    ...options,
  });
  return { endpoint, writer, refused };
};

const addAll = (writer: BatchWriter<string>, lines: readonly string[]): void => {
  for (const l of lines) writer.add(l, l);
};

/** The outcome of a promise that may still be pending. */
const settled = <T>(promise: Promise<T>): (() => 'pending' | 'resolved' | unknown) => {
  let state: unknown = 'pending';
  promise.then(
    () => (state = 'resolved'),
    (error: unknown) => (state = error),
  );
  return () => state;
};

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('BatchWriter: batches', () => {
  it('sends a full batch at once, and a partial one after the flush interval', async () => {
    const { endpoint, writer } = harness();
    addAll(
      writer,
      Array.from({ length: 12 }, (_, i) => line('a', i, i)),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(endpoint.requests.map((r) => r.length)).toEqual([5, 5]);
    expect(writer.pending()).toBe(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(endpoint.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(endpoint.requests.map((r) => r.length)).toEqual([5, 5, 2]);
    expect(writer.pending()).toBe(0);
    expect(writer.peak()).toBe(12);
  });

  it('flush sends what waits and resolves once everything is stored', async () => {
    const { endpoint, writer } = harness();
    addAll(writer, [line('a', 1), line('b', 2)]);
    await writer.flush();
    expect(endpoint.stored.size).toBe(2);
    expect(writer.pending()).toBe(0);
    await writer.flush(); // nothing left: resolves at once
  });

  it("keeps each series' writes in order across lanes, whatever is retried", async () => {
    const { endpoint, writer } = harness({ lanes: 2, batchSize: 1 });
    endpoint.script.push(noAnswer);
    // The same point twice (an `updates` result that changed), among other series.
    addAll(writer, [line('a', 1), line('b', 1), line('c', 1), line('a', 2), line('d', 1)]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(endpoint.stored.get(identity(line('a', 2)))).toBe(line('a', 2));
    const order = endpoint.requests.flat().filter((l) => l.startsWith('m,s=a '));
    expect(order).toEqual([line('a', 1), line('a', 1), line('a', 2)]);
  });
});

describe('BatchWriter: retries on virtual time', () => {
  it('backs off 0.5 s, 1 s, 2 s … while there is no answer, and keeps every line', async () => {
    const { endpoint, writer } = harness();
    endpoint.script.push(noAnswer, noAnswer, noAnswer);
    addAll(writer, [line('a', 1)]);
    const flushed = settled(writer.flush());
    const attemptsAt = async (ms: number): Promise<number> => {
      await vi.advanceTimersByTimeAsync(ms);
      return endpoint.requests.length;
    };
    expect(await attemptsAt(0)).toBe(1);
    expect(flushed()).toMatchObject({ error: { code: 'SINK_UNAVAILABLE', retriable: true } });
    expect(await attemptsAt(499)).toBe(1);
    expect(await attemptsAt(1)).toBe(2);
    expect(await attemptsAt(999)).toBe(2);
    expect(await attemptsAt(1)).toBe(3);
    expect(await attemptsAt(1_999)).toBe(3);
    expect(writer.pending()).toBe(1);
    expect(await attemptsAt(1)).toBe(4);
    expect(writer.pending()).toBe(0);
    expect(endpoint.stored.size).toBe(1);
    expect(writer.failing()).toBeUndefined();
  });

  it("honours a 429's or 503's Retry-After", async () => {
    const { endpoint, writer } = harness();
    endpoint.script.push(
      failure({ status: 429, message: 'too many requests', retryAfter: '7' }),
      failure({ status: 503, message: 'service unavailable', retryAfter: '30' }),
    );
    addAll(writer, [line('a', 1)]);
    void writer.flush().catch(() => undefined);
    await vi.advanceTimersByTimeAsync(6_999);
    expect(endpoint.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(endpoint.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(endpoint.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(endpoint.requests).toHaveLength(3);
    expect(endpoint.stored.size).toBe(1);
  });

  it('fails a flush while the server is away, and the next flush succeeds once it is back', async () => {
    const { endpoint, writer } = harness();
    endpoint.script.push(noAnswer, noAnswer);
    addAll(writer, [line('a', 1)]);
    await expect(writer.flush()).rejects.toThrow(
      'InfluxDB did not take the write (no answer: connect ECONNREFUSED 127.0.0.1:8086); it is sent again in 500 ms',
    );
    // Still failing: a flush gives up at once instead of waiting out the outage.
    const during = settled(writer.flush());
    await vi.advanceTimersByTimeAsync(0);
    expect(during()).toBeInstanceOf(TributaryException);
    await vi.advanceTimersByTimeAsync(1_500);
    await writer.flush();
    expect(endpoint.stored.size).toBe(1);
  });

  it('fails flushes with SINK_FAILED while the server refuses the token, and writes once it is fixed', async () => {
    const { endpoint, writer } = harness();
    endpoint.script.push(failure({ status: 401, message: 'unauthorized access' }));
    addAll(writer, [line('a', 1)]);
    const flushed = settled(writer.flush());
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed()).toMatchObject({
      error: {
        code: 'SINK_FAILED',
        retriable: false,
        message:
          "InfluxDB refuses every write (HTTP 401: unauthorized access): check the token's permissions, the org and the bucket; the points are kept and sent again",
      },
    });
    expect(writer.pending()).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(endpoint.stored.size).toBe(1);
    expect(writer.pending()).toBe(0);
  });

  it('keeps a batch when a callback throws, and sends it again', async () => {
    let throwOnce = true;
    const { endpoint, writer } = harness({
      events: {
        written: () => {
          if (throwOnce) {
            throwOnce = false;
            throw new Error('registry full');
          }
        },
      },
    });
    addAll(writer, [line('a', 1)]);
    await expect(writer.flush()).rejects.toThrow(
      'the InfluxDB sink failed: registry full; the batch is kept and sent again',
    );
    expect(writer.pending()).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(writer.pending()).toBe(0);
    expect(endpoint.requests).toHaveLength(2);
  });

  it('stops retrying when closed, and a flush after that rejects', async () => {
    const { endpoint, writer } = harness();
    endpoint.script.push(noAnswer);
    addAll(writer, [line('a', 1)]);
    void writer.flush().catch(() => undefined);
    await vi.advanceTimersByTimeAsync(0);
    writer.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(endpoint.requests).toHaveLength(1);
    await expect(writer.flush()).rejects.toThrow('the InfluxDB sink is closed');
  });
});

describe('BatchWriter: refused lines', () => {
  it('refuses the lines a 400 names, with their own reasons, and writes the rest', async () => {
    const { endpoint, writer, refused } = harness({ batchSize: 10 });
    addAll(writer, [line('a', 1), 'm,s=b unparsable 1', line('c', 3), 'm,s=d unparsable 1']);
    await writer.flush();
    expect(refused).toEqual([
      {
        item: 'm,s=b unparsable 1',
        line: 'm,s=b unparsable 1',
        status: 400,
        reason: "unable to parse 'm,s=b unparsable 1': invalid field format",
      },
      {
        item: 'm,s=d unparsable 1',
        line: 'm,s=d unparsable 1',
        status: 400,
        reason: "unable to parse 'm,s=d unparsable 1': invalid field format",
      },
    ]);
    expect([...endpoint.stored.values()]).toEqual([line('a', 1), line('c', 3)]);
    expect(endpoint.requests).toHaveLength(2);
  });

  it('refuses exactly the lines of a field type conflict (422), after confirming them', async () => {
    const { endpoint, writer, refused } = harness({ batchSize: 10 });
    const good = [line('a', 1), line('b', 2), line('c', 3)];
    const bad = [line('x', 'bad1'), line('y', 'bad2')];
    addAll(writer, [good[0]!, bad[0]!, good[1]!, bad[1]!, good[2]!]);
    await writer.flush();
    expect(refused.map((r) => r.line)).toEqual(bad);
    expect(refused[0]).toMatchObject({
      status: 422,
      reason:
        'failure writing points to database: partial write: field type conflict: input field "f" on measurement "m" is type string, already exists as type float dropped=2',
    });
    expect([...endpoint.stored.values()].sort()).toEqual(good);
    // The batch, then the suspects alone.
    expect(endpoint.requests.map((r) => r.length)).toEqual([5, 2]);
  });

  it('finds a failure the message does not describe by sending the others again', async () => {
    const { endpoint, writer, refused } = harness({ batchSize: 10 });
    // The answer describes only the first conflict (field f); the one on field g is found next.
    const bad = [line('x', 'bad'), 'm,s=z g="no" 1'];
    addAll(writer, [line('a', 1), bad[0]!, bad[1]!, line('b', 2)]);
    await writer.flush();
    expect(refused.map((r) => r.line)).toEqual(bad);
    expect(refused[1]!.reason).toContain('input field "g" on measurement "m" is type string');
    // The batch; the suspects of f alone; the others again; the suspect of g alone.
    expect(endpoint.requests.map((r) => r.length)).toEqual([4, 1, 3, 1]);
    expect([...endpoint.stored.values()].sort()).toEqual([line('a', 1), line('b', 2)]);
  });

  it('bisects a batch whose refusal names no line', async () => {
    const endpoint = new Endpoint();
    const lines = Array.from({ length: 8 }, (_, i) => line(`s${i}`, i));
    const poisoned = lines[5]!;
    const requests: number[] = [];
    const opaque = async (batch: readonly string[]): Promise<WriteOutcome> => {
      requests.push(batch.length);
      return batch.includes(poisoned)
        ? failure({ status: 400, message: 'something about the request' })
        : endpoint.send(batch);
    };
    const { writer, refused } = harness({ batchSize: 8, send: opaque });
    addAll(writer, lines);
    await writer.flush();
    expect(refused).toEqual([
      { item: poisoned, line: poisoned, status: 400, reason: 'something about the request' },
    ]);
    expect(endpoint.stored.size).toBe(7);
    // 8 → 4 | 4 → 2 | 2 → 1 | 1
    expect(requests).toEqual([8, 4, 4, 2, 1, 1, 2]);
    expect(writer.pending()).toBe(0);
  });

  it('sends a batch that is too large in halves', async () => {
    const { endpoint, writer } = harness({ batchSize: 4 });
    endpoint.script.push(failure({ status: 413, message: 'request too large' }));
    addAll(writer, [line('a', 1), line('b', 1), line('c', 1), line('d', 1)]);
    await writer.flush();
    expect(endpoint.requests.map((r) => r.length)).toEqual([4, 2, 2]);
    expect(endpoint.stored.size).toBe(4);
  });
});
