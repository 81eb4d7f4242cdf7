/** Test helper: the issues a rules text is refused with (fails when it is accepted). */
import { ConfigError } from '../../../src/config/errors';
import { parseConfig } from '../../../src/config/parse';

export function problems(text: string): ConfigError['issues'] {
  try {
    parseConfig(text, 'rules.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
