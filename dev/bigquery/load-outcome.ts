/**
 * What a load job answers: its statistics, or its failure with the file it names and the row
 * problems it lists.
 */
import { BigQueryApiError, type ErrorProto } from './errors';

export interface LoadResult {
  inputFiles: number;
  inputFileBytes: number;
  outputRows: number;
  badRecords: number;
  /** Row problems that stayed within maxBadRecords (BigQuery lists them on success too). */
  errors: ErrorProto[];
}

/**
 * A load that failed: `errorResult` plus the detailed `errors`. A failure caused by one
 * file carries its URI as `location`, as BigQuery's does.
 */
export class LoadFailedError extends BigQueryApiError {
  constructor(
    reason: string,
    message: string,
    readonly details: ErrorProto[] = [],
    readonly location?: string,
  ) {
    super(400, reason, message);
    this.name = 'LoadFailedError';
  }

  override toErrorProto(): ErrorProto {
    return { ...super.toErrorProto(), ...(this.location ? { location: this.location } : {}) };
  }
}

/** How many row problems are copied into `status.errors`. */
export const MAX_LISTED_ERRORS = 5;

export function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
