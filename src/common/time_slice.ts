/**
 * Long work that shares the event loop: work written as a generator that yields
 * between small steps (sorting a listing of 100,000 names, say) runs here, a few
 * milliseconds at a time, so timers and I/O, meaning every other session, get their
 * turns in between.
 *
 * One scheduler runs all such work, round robin, within one budget per turn of the
 * event loop: were each piece to keep a budget of its own, 64 listings at once would
 * hold the loop for 64 budgets. `setTimeout` is what gives the loop its turn: a
 * microtask or `setImmediate` does not reach the I/O poll in Deno.
 *
 * @module
 */

/** How long sliced work may hold the event loop before it lets others run. */
export const SLICE_MS = 4;

interface Task {
  steps: Generator<void, unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const tasks = new Set<Task>();
let driving = false;

/**
 * Runs `steps` (a generator that yields between pieces of work, each well under a
 * millisecond) to its end, sharing the event loop with everything else.
 */
export function runInSlices<T>(steps: Generator<void, T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    tasks.add({ steps, resolve: resolve as (value: unknown) => void, reject });
    if (!driving) void drive();
  });
}

async function drive(): Promise<void> {
  driving = true;
  try {
    while (tasks.size > 0) {
      const started = performance.now();
      while (tasks.size > 0 && performance.now() - started < SLICE_MS) {
        for (const task of tasks) step(task);
      }
      if (tasks.size > 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } finally {
    driving = false;
  }
}

function step(task: Task): void {
  try {
    const result = task.steps.next();
    if (!result.done) return;
    tasks.delete(task);
    task.resolve(result.value);
  } catch (error) {
    tasks.delete(task);
    task.reject(error);
  }
}
