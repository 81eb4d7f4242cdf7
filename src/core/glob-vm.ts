/**
 * The matcher behind glob.ts: a Pike VM (Russ Cox, "Regular Expression Matching: the
 * Virtual Machine Approach", https://swtch.com/~rsc/regexp/regexp2.html). All threads advance
 * one character together and a program counter holds at most one thread per step, so a match
 * costs O(text length × program length) whatever the pattern. Threads stay in priority order
 * (the preferred branch of a split first), which gives the captures a backtracking matcher
 * with greedy loops would give. Matches are anchored at both ends.
 */

export const Op = {
  /** Matches the character code `arg`. */
  Char: 0,
  /** Matches any character. */
  Any: 1,
  /** Matches any character but the code `arg`. */
  Not: 2,
  /** Continues at `arg` (preferred) and at `alt`. */
  Split: 3,
  Jump: 4,
  /** Records the current position in capture slot `arg`. */
  Save: 5,
  Match: 6,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

export interface Program {
  ops: Int32Array;
  args: Int32Array;
  alts: Int32Array;
  /** Capture slots: two (start, end) per capture. */
  slots: number;
}

interface ThreadList {
  count: number;
  pcs: Int32Array;
  caps: (Int32Array | undefined)[];
}

/** Per-program buffers, reused between runs (a run never starts another one). */
interface Scratch {
  current: ThreadList;
  next: ThreadList;
  /** The stamp of the step that last added each pc (a double: exact far past 2^31 steps). */
  seen: Float64Array;
  stamp: number;
}

const scratches = new WeakMap<Program, Scratch>();
const NO_CAPTURES = new Int32Array(0);

/** The capture slots of a match of the whole `text`, or null. */
export function run(program: Program, text: string): Int32Array | null {
  const scratch = scratchOf(program);
  let { current, next } = scratch;
  current.count = 0;
  scratch.stamp += 1;
  const start = program.slots > 0 ? new Int32Array(program.slots) : undefined;
  addThread(program, scratch, current, 0, start, 0);
  for (let pos = 0; pos < text.length && current.count > 0; pos += 1) {
    step(program, scratch, current, next, text.charCodeAt(pos), pos + 1);
    const advanced = next;
    next = current;
    current = advanced;
  }
  for (let t = 0; t < current.count; t += 1) {
    if (program.ops[current.pcs[t] as number] === Op.Match) return current.caps[t] ?? NO_CAPTURES;
  }
  return null;
}

/** Advances every thread of `current` over one character into `next`, in priority order. */
function step(
  program: Program,
  scratch: Scratch,
  current: ThreadList,
  next: ThreadList,
  code: number,
  after: number,
): void {
  const { ops, args } = program;
  next.count = 0;
  scratch.stamp += 1;
  for (let t = 0; t < current.count; t += 1) {
    const pc = current.pcs[t] as number;
    const op = ops[pc];
    const matches =
      op === Op.Any ||
      (op === Op.Char && args[pc] === code) ||
      (op === Op.Not && args[pc] !== code);
    if (matches) addThread(program, scratch, next, pc + 1, current.caps[t], after);
  }
}

/** Adds the thread at `pc`, following jumps, splits and saves (at most once per pc per step). */
function addThread(
  program: Program,
  scratch: Scratch,
  list: ThreadList,
  pc: number,
  caps: Int32Array | undefined,
  pos: number,
): void {
  if (scratch.seen[pc] === scratch.stamp) return;
  scratch.seen[pc] = scratch.stamp;
  const arg = program.args[pc] as number;
  switch (program.ops[pc]) {
    case Op.Jump:
      addThread(program, scratch, list, arg, caps, pos);
      return;
    case Op.Split:
      addThread(program, scratch, list, arg, caps, pos);
      addThread(program, scratch, list, program.alts[pc] as number, caps, pos);
      return;
    case Op.Save: {
      const saved = caps ? caps.slice() : new Int32Array(program.slots);
      saved[arg] = pos;
      addThread(program, scratch, list, pc + 1, saved, pos);
      return;
    }
    default:
      list.pcs[list.count] = pc;
      list.caps[list.count] = caps;
      list.count += 1;
  }
}

function scratchOf(program: Program): Scratch {
  let scratch = scratches.get(program);
  if (!scratch) {
    const size = program.ops.length;
    const list = (): ThreadList => ({ count: 0, pcs: new Int32Array(size), caps: [] });
    scratch = { current: list(), next: list(), seen: new Float64Array(size), stamp: 0 };
    scratches.set(program, scratch);
  }
  return scratch;
}
