/** The JSON API's generation and metageneration preconditions, checked against the live object. */
import { conditionNotMet, notFound } from './errors';
import type { StoredObject } from './object';

/** Preconditions of the JSON API (int64 decimal strings; `ifGenerationMatch: "0"` = must not exist). */
export interface Preconditions {
  ifGenerationMatch?: string;
  ifGenerationNotMatch?: string;
  ifMetagenerationMatch?: string;
  ifMetagenerationNotMatch?: string;
}

export function checkConditions(
  what: string,
  object: StoredObject | undefined,
  c: Preconditions,
): void {
  const generation = object?.generation ?? '0';
  const fail = (text: string) => {
    throw conditionNotMet(`${what}: ${text}`);
  };
  if (c.ifGenerationMatch !== undefined && c.ifGenerationMatch !== generation) {
    fail(`ifGenerationMatch=${c.ifGenerationMatch}, generation is ${generation}`);
  }
  if (c.ifGenerationNotMatch !== undefined && c.ifGenerationNotMatch === generation) {
    fail(`ifGenerationNotMatch=${c.ifGenerationNotMatch}`);
  }
  if (c.ifMetagenerationMatch !== undefined || c.ifMetagenerationNotMatch !== undefined) {
    if (!object) throw notFound(what);
    if (
      c.ifMetagenerationMatch !== undefined &&
      c.ifMetagenerationMatch !== object.metageneration
    ) {
      fail(
        `ifMetagenerationMatch=${c.ifMetagenerationMatch}, metageneration is ${object.metageneration}`,
      );
    }
    if (
      c.ifMetagenerationNotMatch !== undefined &&
      c.ifMetagenerationNotMatch === object.metageneration
    ) {
      fail(`ifMetagenerationNotMatch=${c.ifMetagenerationNotMatch}`);
    }
  }
}
