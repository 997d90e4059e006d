/** `runInSlices()`: long work in steps, sharing the event loop with timers and I/O. */
import { assert, assertEquals } from "../support/assert.ts";
import { runInSlices, SLICE_MS } from "../../src/common/time_slice.ts";

/** Steps that each take about `ms` of CPU, `count` of them; returns how many ran. */
function* busySteps(count: number, ms = 0.2): Generator<void, number> {
  for (let i = 0; i < count; i++) {
    const until = performance.now() + ms;
    while (performance.now() < until) { /* work */ }
    yield;
  }
  return count;
}

Deno.test("`runInSlices()` runs a generator to its end and resolves with its value", async () => {
  assertEquals(await runInSlices(busySteps(10, 0)), 10);
  assertEquals(await runInSlices(busySteps(0)), 0); // Done at the first step.
});

Deno.test("`runInSlices()` lets timers run while long work goes on, however many run at once", async () => {
  // Eight pieces of 40 ms of work each. A 1 ms timer counts the steps that ran between
  // two of its turns: counting work, not time, keeps the test true on a loaded machine,
  // where another process may take the CPU in the middle of any step.
  const stepMs = 0.2;
  let sinceTick = 0;
  let most = 0;
  const counted = (steps: Generator<void, number>) =>
    (function* () {
      for (;;) {
        const next = steps.next();
        if (next.done) return next.value;
        sinceTick++;
        yield;
      }
    })();
  const timer = setInterval(() => {
    most = Math.max(most, sinceTick);
    sinceTick = 0;
  }, 1);
  const results = await Promise.all(
    Array.from({ length: 8 }, () => runInSlices(counted(busySteps(200, stepMs)))),
  );
  clearInterval(timer);
  assertEquals(results, Array(8).fill(200));
  // One budget for all of them: a turn is SLICE_MS plus one round of the eight, and a
  // timer may miss one turn; a budget each would be eight turns' steps in a row.
  const turn = SLICE_MS / stepMs + 8;
  assert(most <= 2 * turn, `${most} steps ran between two turns of a timer (a turn is ${turn})`);
});

Deno.test("`runInSlices()` rejects with what a step throws, and the others go on", async () => {
  const failing = (function* (): Generator<void, number> {
    yield;
    throw new RangeError("step two fails");
  })();
  const [failed, done] = await Promise.allSettled([
    runInSlices(failing),
    runInSlices(busySteps(50, 0)),
  ]);
  assertEquals(failed.status, "rejected");
  assertEquals((failed as PromiseRejectedResult).reason.message, "step two fails");
  assertEquals(done, { status: "fulfilled", value: 50 });
});
