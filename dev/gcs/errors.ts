/**
 * Errors of the local GCS server, answered in the JSON API's error shape:
 * https://cloud.google.com/storage/docs/json_api/v1/status-codes
 */
export class GcsError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'GcsError';
  }

  toBody(): {
    error: {
      code: number;
      message: string;
      errors: { reason: string; message: string; domain: string }[];
    };
  } {
    return {
      error: {
        code: this.code,
        message: this.message,
        errors: [{ reason: this.reason, message: this.message, domain: 'global' }],
      },
    };
  }
}

export const notFound = (what: string): GcsError =>
  new GcsError(404, 'notFound', `No such object: ${what}`);

export const conditionNotMet = (what: string): GcsError =>
  new GcsError(
    412,
    'conditionNotMet',
    `At least one of the pre-conditions you specified did not hold: ${what}`,
  );

export const invalid = (message: string): GcsError => new GcsError(400, 'invalid', message);
