/** Which partition a load writes: the start of the period holding its time, as SQL. */
import type { PartitionType } from './load-spec';
import { literal } from './warehouse';

/** The start of the partition holding `time`. */
export function partitionStart(time: Date, type: PartitionType): Date {
  const y = time.getUTCFullYear();
  switch (type) {
    case 'YEAR':
      return new Date(Date.UTC(y, 0, 1));
    case 'MONTH':
      return new Date(Date.UTC(y, time.getUTCMonth(), 1));
    case 'DAY':
      return new Date(Date.UTC(y, time.getUTCMonth(), time.getUTCDate()));
    case 'HOUR':
      return new Date(Date.UTC(y, time.getUTCMonth(), time.getUTCDate(), time.getUTCHours()));
  }
}

export function timestampLiteral(time: Date): string {
  return `${literal(time.toISOString())}::TIMESTAMPTZ`;
}
