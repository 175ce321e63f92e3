import { TributaryException } from '../../src/index.js';
import { influxSink } from '../../src/sinks/influxdb/index.js';

try {
  influxSink<string, number>({
    connection: { url: 'http://127.0.0.1:8086', token: 'example-token', org: 'acme' }, // no bucket
    point: { measurement: 'm', fields: { v: (r) => r.value } },
  });
} catch (error) {
  if (error instanceof TributaryException) console.log(error.error.field, '|', error.message);
}
// connection.bucket | invalid configuration: connection.bucket is required: give connection.bucket or set INFLUX_BUCKET
