import type { Diverted } from '../../src/index.js';

const describeDiverted = ({ record, reason, error, operator }: Diverted): string => {
  const where = error.origin
    ? ` at ${error.origin.topic}/${error.origin.partition}@${error.origin.offset}`
    : '';
  switch (error.code) {
    case 'RECORD_LATE':
    case 'RECORD_FROM_FUTURE':
      return `${operator}: ${reason} record (event time ${record.timestamp})${where}: ${error.message}`;
    default:
      return `${operator}: ${error.code}${where}: ${error.message}`;
  }
};
// ---- end of documented example ----
export { describeDiverted };
