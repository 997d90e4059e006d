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
  // Eight pieces of 40 ms of work each; a 1 ms timer measures how long the loop is held.
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    longest = Math.max(longest, performance.now() - last);
    last = performance.now();
  }, 1);
  const results = await Promise.all(Array.from({ length: 8 }, () => runInSlices(busySteps(200))));
  clearInterval(timer);
  assertEquals(results, Array(8).fill(200));
  // One budget for all of them: held for about SLICE_MS, never 8 budgets in a row.
  assert(longest < SLICE_MS * 4 + 20, `the loop was held for ${longest.toFixed(1)} ms`);
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
