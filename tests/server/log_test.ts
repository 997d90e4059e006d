/** How a command, and the end of a session, read in the server's log. */
import { assertEquals } from "../support/assert.ts";
import { TransferError } from "../../src/common/errors.ts";
import { SessionClosed } from "../../src/server/command_reader.ts";
import { commandEvent, endEvent, SHUT_DOWN } from "../../src/server/log.ts";

Deno.test("`commandEvent()` names what a command was about and always counts its bytes", () => {
  const started = performance.now();
  const get = commandEvent({ verb: "get", name: "a.txt" }, started, { result: "ok" });
  assertEquals([get.action, get.name, get.bytes, get.result], ["get", "a.txt", 0, "ok"]);
  const moved = commandEvent({ verb: "rename", from: "a", to: "b" }, started, {
    bytes: 3,
    result: "ok",
  });
  assertEquals([moved.name, moved.bytes], ["a -> b", 3]);
  assertEquals(commandEvent({ verb: "ls" }, started, { result: "ok" }).name, undefined);
});

Deno.test("`endEvent()` tells a shutdown, a goodbye, a lost client and a bug apart", () => {
  const closed = new SessionClosed("Closed after 1 s without a command");
  assertEquals(endEvent(closed, { shutDown: true }), {
    action: "disconnect",
    result: `closed: ${SHUT_DOWN}`,
  });
  assertEquals(endEvent(closed, { shutDown: false }).result, `closed: ${closed.message}`);
  assertEquals(
    endEvent(new TransferError("Connection reset"), { shutDown: false }).result,
    "failed: Connection reset",
  );
  const bug = new TypeError("x is undefined");
  assertEquals(endEvent(bug, { shutDown: false }), {
    action: "internal-error",
    result: "failed: x is undefined",
    error: bug,
  });
});
