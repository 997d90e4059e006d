import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { TransferError } from "../../src/common/errors.ts";
import { MAX_TIMER_MS, seconds, Watchdog, withDeadline } from "../../src/transport/deadline.ts";

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Work that settles only when its `expire` is called: by failing, or by ending quietly. */
function stuckWork<T>(end: "fail" | "resolve", value?: T) {
  let expire = () => {};
  const cause = new Error("connection closed");
  const work = new Promise<T>((resolve, reject) => {
    expire = end === "fail" ? () => reject(cause) : () => resolve(value as T);
  });
  return { work: () => work, expire: () => expire(), cause };
}

class StallError extends Error {
  override name = "StallError";
}

Deno.test("`withDeadline()` returns the work's result when it finishes in time", async () => {
  let timeouts = 0;
  const timeout = () => {
    timeouts++;
    return new Error("late");
  };
  assertEquals(await withDeadline(1000, () => {}, timeout, () => Promise.resolve(7)), 7);
  assertEquals(timeouts, 0, "timeout() is only called when the deadline passes");
});

Deno.test("`withDeadline()` expires the work and reports the deadline, keeping the failure as its cause", async () => {
  const stuck = stuckWork<number>("fail");
  const error = await assertRejects(
    () => withDeadline(10, stuck.expire, () => new TransferError("Too slow"), stuck.work),
    TransferError,
    "Too slow",
  );
  assertEquals(error.cause, stuck.cause);
});

Deno.test("`withDeadline()` throws the caller's own error class, not always TransferError", async () => {
  const stuck = stuckWork<number>("fail");
  await assertRejects(
    () => withDeadline(10, stuck.expire, () => new StallError("stalled"), stuck.work),
    StallError,
    "stalled",
  );
});

Deno.test("`withDeadline()` passes on the work's own failure before the deadline, unchanged", async () => {
  const failure = new RangeError("bad input");
  let expired = false;
  const error = await assertRejects(
    () =>
      withDeadline(
        1000,
        () => expired = true,
        () => new Error("late"),
        () => Promise.reject(failure),
      ),
    RangeError,
  );
  assertEquals([error, expired], [failure, false]);
});

Deno.test("`withDeadline()` past the timer limit means no deadline, not an instant one", async () => {
  let expired = false;
  const result = await withDeadline(
    MAX_TIMER_MS + 1,
    () => expired = true,
    () => new Error("x"),
    async () => {
      await tick(20);
      return "done";
    },
  );
  assertEquals([result, expired], ["done", false]);
});

Deno.test("`withDeadline()` with Infinity means no deadline", async () => {
  let expired = false;
  const result = await withDeadline(
    Infinity,
    () => expired = true,
    () => new Error("x"),
    async () => {
      await tick(20);
      return "done";
    },
  );
  assertEquals([result, expired], ["done", false]);
});

Deno.test("`Watchdog` fires only after a quiet spell, and kicks put it off", async () => {
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

Deno.test("`Watchdog` past the timer limit never fires", async () => {
  let fired = false;
  using _dog = new Watchdog(MAX_TIMER_MS * 2, () => fired = true);
  await tick(20);
  assertEquals(fired, false);
});

Deno.test("`Watchdog.stop()` keeps it from firing", async () => {
  let fired = false;
  const dog = new Watchdog(10, () => fired = true);
  dog.stop();
  await tick(30);
  assertEquals([fired, dog.expired], [false, false]);
});

Deno.test("`Watchdog.guard()` returns the work's result and stops the watchdog", async () => {
  let fired = false;
  const dog = new Watchdog(30, () => fired = true);
  assertEquals(await dog.guard(() => Promise.resolve("ok"), () => new Error("late")), "ok");
  await tick(60); // Past the 30 ms: a watchdog still running would fire now.
  assertEquals([fired, dog.expired], [false, false]);
});

Deno.test("`Watchdog.guard()` throws timeout() when the work ends quietly after expiry", async () => {
  // A read cancelled by closing its connection can look like a clean end of stream.
  const stuck = stuckWork<string | null>("resolve", null);
  const dog = new Watchdog(10, stuck.expire);
  const error = await assertRejects(
    () => dog.guard(stuck.work, () => new StallError("Transfer stalled")),
    StallError,
    "Transfer stalled",
  );
  assertEquals([error.cause, dog.expired], [undefined, true]);
});

Deno.test("`Watchdog.guard()` throws timeout() with the failure it caused as the cause", async () => {
  const stuck = stuckWork<string>("fail");
  const dog = new Watchdog(10, stuck.expire);
  const error = await assertRejects(
    () => dog.guard(stuck.work, () => new TransferError("Transfer stalled")),
    TransferError,
    "Transfer stalled",
  );
  assertEquals(error.cause, stuck.cause);
});

Deno.test("`Watchdog.guard()` keeps a cause the timeout error already has", async () => {
  const own = new Error("the deadline's own reason");
  const stuck = stuckWork<string>("fail");
  const dog = new Watchdog(10, stuck.expire);
  const error = await assertRejects(
    () => dog.guard(stuck.work, () => new TransferError("Too slow", { cause: own })),
    TransferError,
  );
  assertEquals(error.cause, own);
});

Deno.test("`Watchdog.guard()` passes on a failure from before expiry, unchanged", async () => {
  const failure = new TypeError("misuse");
  let timeouts = 0;
  const dog = new Watchdog(1000, () => {});
  const error = await assertRejects(
    () =>
      dog.guard(() => Promise.reject(failure), () => {
        timeouts++;
        return new Error("late");
      }),
    TypeError,
  );
  assertEquals([error, timeouts, dog.expired], [failure, 0, false]);
});

Deno.test("`Watchdog.guard()` lets kicks keep slow but steady work alive", async () => {
  let fired = false;
  const dog = new Watchdog(60, () => fired = true);
  const result = await dog.guard(async () => {
    for (let i = 0; i < 6; i++) {
      await tick(20);
      dog.kick();
    }
    return "steady";
  }, () => new Error("stalled"));
  assertEquals([result, fired], ["steady", false]);
});

Deno.test("`seconds()` formats milliseconds for messages", () => {
  assertEquals([seconds(1500), seconds(30_000), seconds(50)], ["1.5 s", "30 s", "0.05 s"]);
});

Deno.test("`MAX_TIMER_MS` is the largest delay setTimeout honours", () => {
  assertEquals(MAX_TIMER_MS, 2_147_483_647);
  assert(Number.isSafeInteger(MAX_TIMER_MS));
});
