/**
 * The set-up most integration tests share: a local stack, the rules written into it and the
 * built function started against it, once for the file (beforeAll), stopped after it.
 * Read `stack`, `fn` and `env` inside tests: they exist once beforeAll has run.
 */
import { type FunctionProcess, startFunction } from './function-process';
import { type LocalStack, startLocalStack } from './local-stack';

export interface FunctionOnStack {
  readonly stack: LocalStack;
  readonly fn: FunctionProcess;
  /** The function's environment (the stack's variables and AUTOLOADER_CONFIG). */
  readonly env: Record<string, string>;
}

export function functionOnStack(rules: string): FunctionOnStack {
  let stack: LocalStack | undefined;
  let fn: FunctionProcess | undefined;
  let env: Record<string, string> = {};
  beforeAll(async () => {
    stack = await startLocalStack();
    env = { ...stack.env, AUTOLOADER_CONFIG: stack.writeRules(rules) };
    fn = await startFunction(env);
  });
  afterAll(async () => {
    await fn?.stop();
    await stack?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error('the local stack is not started yet (read it inside a test)');
    return value;
  };
  return {
    get stack() {
      return started(stack);
    },
    get fn() {
      return started(fn);
    },
    get env() {
      return env;
    },
  };
}
