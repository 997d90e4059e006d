import { assertEquals, assertRejects } from "./assert.ts";
import { MAX_TIMER_MS, Watchdog, withDeadline } from "../src/deadline.ts";
import { TransferError } from "../src/errors.ts";

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("withDeadline() returns the work's result when it finishes in time", async () => {
  assertEquals(await withDeadline(1000, () => {}, "late", () => Promise.resolve(7)), 7);
});

Deno.test("withDeadline() expires the work and reports the deadline, not the cause", async () => {
  let reject = (_: Error) => {};
  const work = new Promise<number>((_, r) => reject = r);
  await assertRejects(
    () => withDeadline(10, () => reject(new Error("closed")), "Too slow", () => work),
    TransferError,
    "Too slow",
  );
});

Deno.test("withDeadline() past the timer limit means no deadline, not an instant one", async () => {
  let expired = false;
  const result = await withDeadline(MAX_TIMER_MS + 1, () => expired = true, "x", async () => {
    await tick(20);
    return "done";
  });
  assertEquals([result, expired], ["done", false]);
});

Deno.test("Watchdog fires only after a quiet spell, and kicks put it off", async () => {
  let fired = 0;
  using dog = new Watchdog(60, () => fired++);
  for (let i = 0; i < 5; i++) {
    await tick(20);
    dog.kick();
  }
  assertEquals(fired, 0);
  await tick(120);
  assertEquals([fired, dog.expired], [1, true]);
});

Deno.test("Watchdog past the timer limit never fires", async () => {
  let fired = false;
  using _dog = new Watchdog(MAX_TIMER_MS * 2, () => fired = true);
  await tick(20);
  assertEquals(fired, false);
});
