import { aggregators, KStream, record, RunContext, tumbling, Watermark } from '../../src/index.js';

const counts = KStream.from([record('a', 1, 1_000), record('a', 2, 4_000), record('b', 3, 12_000)])
  .window(tumbling('10s'))
  .aggregate(aggregators.count());

console.log(counts.describe());
// 1: source
// 2: tumbling-window <- 1

const ctx = new RunContext(); // wall-clock scheduler; pass { scheduler } to use another
ctx.diverted.subscribe((d) => console.log('diverted', d.reason, d.record));
counts
  .chunks(ctx)
  .subscribe((chunk) =>
    console.log(chunk.map((e) => (e instanceof Watermark ? `W(${e.time})` : `${e.key}=${e.value.value}`))),
  );
ctx.start();
// [ 'W(4000)', 'a=2', 'W(12000)' ]   W(1000) was superseded: no output lies between it and W(4000)
// [ 'b=1', 'W(Infinity)' ]
