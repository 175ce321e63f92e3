import { describe, expect, it } from 'vitest';
import { explainRejection } from '../../../../src/sinks/influxdb/explainRejection.js';

// The messages below are InfluxDB 2.7's answers to these batches, as its write endpoint sent them.
describe('explainRejection', () => {
  it('names each unparsable line with its own reason (400: nothing was written)', () => {
    const lines = ['m,s=a f=1 3000', 'm bad line', 'm,s=b f= 3000', 'm,s=c f=4 3000'];
    const message =
      "unable to parse 'm bad line': invalid field format\nunable to parse 'm,s=b f= 3000': missing field value";
    expect(explainRejection(400, message, lines)).toEqual({
      kind: 'parse',
      reasons: new Map([
        [1, "unable to parse 'm bad line': invalid field format"],
        [2, "unable to parse 'm,s=b f= 3000': missing field value"],
      ]),
    });
  });

  it('finds a line whose text holds quotes and line breaks', () => {
    const line = 'm,s=x f="it\'s\na \\"quote\\"" 4000';
    const message = `unable to parse 'm other': invalid field format\nunable to parse '${line}': bad timestamp`;
    expect(explainRejection(400, message, ['m,s=a f=1 1', line])).toEqual({
      kind: 'parse',
      reasons: new Map([[1, `unable to parse '${line}': bad timestamp`]]),
    });
  });

  it('suspects the lines that a field type conflict describes (422: the others were written)', () => {
    const lines = [
      'm,s=a f="x" 2000',
      'm,s=b f=3 2000',
      'm,s=c f="y" 2000',
      'm,s=c g=1i 2000',
      'm,s=d g="z" 2000',
      'other,s=e f="x" 2000',
    ];
    const message =
      'failure writing points to database: partial write: field type conflict: input field "f" on measurement "m" is type string, already exists as type float dropped=3';
    expect(explainRejection(422, message, lines)).toEqual({ kind: 'partial', suspects: [0, 2], dropped: 3 });
  });

  it('reads escaped names in the message and in the lines', () => {
    const lines = ['cpu\\ load,h=a av\\=g="x" 1', 'cpu\\ load,h=a av\\=g=1 1'];
    const message =
      'partial write: field type conflict: input field "av=g" on measurement "cpu load" is type string, already exists as type float dropped=1';
    expect(explainRejection(422, message, lines)).toEqual({ kind: 'partial', suspects: [0], dropped: 1 });
    const quoted =
      'partial write: field type conflict: input field "say \\"hi\\"" on measurement "m" is type boolean, already exists as type float dropped=1';
    expect(explainRejection(422, quoted, ['m say\\ "hi"=true 1', 'm x=true 1'])).toEqual({
      kind: 'partial',
      suspects: [0],
      dropped: 1,
    });
  });

  it('suspects strings that are too long and fields named time', () => {
    expect(
      explainRejection(
        422,
        'partial write: input field "note" on measurement "m" is too long, 70000 > 65536 dropped=1',
        ['m note="short" 1', 'm note=1i 1', 'n note="long" 1'],
      ),
    ).toEqual({ kind: 'partial', suspects: [0], dropped: 1 });
    expect(
      explainRejection(
        422,
        'failure writing points to database: partial write: invalid field name: input field "time" on measurement "m" is invalid dropped=1',
        ['m,s=a time=1 5000', 'm,s=a f=1 5000'],
      ),
    ).toEqual({ kind: 'partial', suspects: [0], dropped: 1 });
  });

  it('knows a partial write it cannot attribute, and a message that names no line', () => {
    expect(
      explainRejection(422, 'partial write: key contains invalid unicode: "m,s=?" dropped=2', ['a', 'b']),
    ).toEqual({ kind: 'partial', suspects: [], dropped: 2 });
    expect(explainRejection(400, 'invalid precision', ['m f=1 1'])).toEqual({ kind: 'unknown' });
  });
});
