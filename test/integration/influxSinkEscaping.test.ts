import { expect, test } from 'vitest';
import { record } from '../../src/index.js';
import { influxSink } from '../../src/sinks/influxdb/index.js';
import { createBucket } from './helpers.js';
import { awaitPointCount, connectionTo, fluxRows } from './influxSinkHelpers.js';

interface Note {
  readonly place: string;
  readonly text: string;
}

/** Names and texts with every character line protocol escapes, and some it does not need to. */
const NOTES: readonly Note[] = [
  { place: 'plain', text: 'plain' },
  { place: 'with space', text: 'with "quotes" and \\ backslashes' },
  { place: 'comma,equals=sign', text: 'two\nlines' },
  { place: 'C:\\temp', text: '' },
  { place: 'ünïcödé €', text: 'tab\there' },
];

test('measurement, tag, field names and string values with escaped characters are read back exactly', async () => {
  const bucket = await createBucket();
  const sink = influxSink<string, Note>({
    connection: connectionTo(bucket),
    point: {
      measurement: 'notes, escaped',
      tags: { 'place name': (r) => r.value.place },
      fields: { 'the=text': (r) => r.value.text },
    },
  });
  const start = Date.UTC(2024, 7, 8);
  sink.write(NOTES.map((note, i) => record(note.place, note, start + i * 1_000)));
  await sink.flush();
  await sink.close();
  expect(sink.stats()).toMatchObject({ written: NOTES.length, rejected: 0 });

  await awaitPointCount(bucket, 'notes, escaped', 'the=text', NOTES.length);
  // Query results come as CSV, whose writer turns a line break inside a value into CR LF: the length that
  // InfluxDB computes shows what it stores.
  const rows = await fluxRows<Record<string, string> & { length: number }>(`import "strings"
    from(bucket: "${bucket}")
    |> range(start: 0)
    |> filter(fn: (r) => r["_measurement"] == "notes, escaped" and r["_field"] == "the=text")
    |> group()
    |> sort(columns: ["_time"])
    |> map(fn: (r) => ({r with length: strings.strlen(v: r._value)}))`);
  expect(rows.map((r) => ({ place: r['place name'], text: r._value!.replaceAll('\r\n', '\n') }))).toEqual(
    NOTES,
  );
  expect(rows.map((r) => r.length)).toEqual(NOTES.map((n) => [...n.text].length));
});
