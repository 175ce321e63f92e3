import { standardMetrics, type Labels, type Metrics } from '../../src/metrics/index.js';

/** Metrics as StatsD lines with DogStatsD tags, handed to `send` (a UDP socket in practice). */
const statsdMetrics = (send: (line: string) => void): Metrics => {
  const tags = (labels?: Labels) => {
    const pairs = Object.entries(labels ?? {}).map(([name, value]) => `${name}:${value}`);
    return pairs.length === 0 ? '' : `|#${pairs.join(',')}`;
  };
  const write = (name: string, type: string) => (first?: Labels | number, second?: number) => {
    const [labels, value] = typeof first === 'object' ? [first, second ?? 1] : [undefined, first ?? 1];
    send(`${name}:${value}|${type}${tags(labels)}`);
  };
  return {
    counter: (name) => ({ inc: write(name, 'c') }),
    // A signed StatsD gauge value is a change: a negative value is set from 0.
    gauge: (name) => ({
      set: (first: Labels | number, second?: number) => {
        const [labels, v] = typeof first === 'object' ? [first, second!] : [undefined, first];
        if (v < 0) send(`${name}:0|g${tags(labels)}`);
        send(`${name}:${v}|g${tags(labels)}`);
      },
      inc: (first?: Labels | number, second?: number) => {
        const [labels, n] = typeof first === 'object' ? [first, second ?? 1] : [undefined, first ?? 1];
        send(`${name}:${n < 0 ? n : `+${n}`}|g${tags(labels)}`);
      },
    }),
    histogram: (name) => ({ observe: write(name, 'h') }),
  };
};

const metrics = standardMetrics(statsdMetrics((line) => console.log(line)));
metrics.lateRecords.inc({ operator: 'candles', topic: 'binance.trades' });
metrics.sinkBuffered.inc({ sink: 'influx' }, 250);
metrics.endToEndLatency.observe({ output: 'candles' }, 12);
// tributary_late_records_total:1|c|#operator:candles,topic:binance.trades
// tributary_sink_buffered_records:+250|g|#sink:influx
// tributary_end_to_end_latency_milliseconds:12|h|#output:candles
