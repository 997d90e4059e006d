/** `Semaphore`: at most so many at once, the rest in order of asking. */
import { assertEquals, assertThrows } from "../support/assert.ts";
import { Semaphore } from "../../src/common/semaphore.ts";

Deno.test("`Semaphore` lets `limit` holders in and the rest in order, each as one leaves", async () => {
  const semaphore = new Semaphore(2);
  const order: string[] = [];
  const first = await semaphore.acquire();
  const second = await semaphore.acquire();
  const waiters = ["c", "d"].map((name) =>
    semaphore.acquire().then((permit) => (order.push(name), permit))
  );
  await Promise.resolve();
  assertEquals(order, []);
  first[Symbol.dispose]();
  first[Symbol.dispose](); // Twice is once.
  const third = await waiters[0];
  assertEquals(order, ["c"]);
  second[Symbol.dispose]();
  const fourth = await waiters[1];
  assertEquals(order, ["c", "d"]);
  third[Symbol.dispose]();
  fourth[Symbol.dispose]();
  // All free again: two come in at once.
  using _a = await semaphore.acquire();
  using _b = await semaphore.acquire();
});

Deno.test("`Semaphore` refuses a limit that is not a whole number of at least 1", () => {
  for (const limit of [0, -1, 1.5, NaN]) {
    assertThrows(() => new Semaphore(limit), RangeError, "Cannot make a semaphore of");
  }
});
