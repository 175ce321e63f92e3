import { record, type StreamRecord } from '../../src/index.js';
import { influxSink, type RejectedPoint } from '../../src/sinks/influxdb/index.js';

interface Reading {
  readonly sensor: string;
  readonly celsius: number;
}

// Any sink can take the dead letters; this one keeps them in memory.
export const rejected: StreamRecord<string, RejectedPoint<Reading>>[] = [];
const sink = influxSink<string, Reading>({
  connection: { url: 'http://127.0.0.1:8086', token: 'example-token', org: 'acme', bucket: 'sensors' },
  point: {
    measurement: 'temperature',
    tags: { sensor: (r) => r.value.sensor },
    fields: { celsius: (r) => r.value.celsius },
  },
  deadLetters: {
    name: 'rejected-readings',
    write: (records) => void rejected.push(...records),
    flush: async () => undefined,
  },
});

// A reading that no point can hold never reaches the server: it goes to the dead letters at once.
sink.write([record('roof', { sensor: 'roof', celsius: Number.NaN }, Date.UTC(2024, 7, 8))]);
const [letter] = rejected;
console.log(letter?.value.error.code, letter?.value.error.message);
// POINT_INVALID the record cannot be an InfluxDB point: field celsius is NaN, which InfluxDB cannot store
console.log(letter?.headers['tributary.error.code']);
// POINT_INVALID
await sink.close();
