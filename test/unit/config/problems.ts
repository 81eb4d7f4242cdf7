/**
 * Test helper: the issues a rules text is refused with, path and message only (positions
 * have their own tests in positions.test.ts); fails when the text is accepted.
 */
import { ConfigError } from '../../../src/config/errors';
import { parseConfig } from '../../../src/config/parse';

export function problems(text: string): ConfigError['issues'] {
  try {
    parseConfig(text, 'rules.yaml');
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.issues.map(({ path, message }) => ({ path, message }));
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
}
