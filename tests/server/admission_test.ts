/** `Admission`: session caps, and which idle session gives way when the server is full. */
import { assertEquals } from "../support/assert.ts";
import { Admission, EVICTED, type SessionSlot } from "../../src/server/admission.ts";

function admitted(slot: SessionSlot | string): SessionSlot {
  if (typeof slot === "string") throw new Error(`Refused: ${slot}`);
  return slot;
}

Deno.test("`Admission` makes the session idle longest give way when full, never a busy one", () => {
  const admission = new Admission({ maxSessions: 3, maxSessionsPerPeer: 10 });
  const stopped: string[] = [];
  const slots = ["a", "b", "c"].map((name) => {
    const slot = admitted(admission.admit("127.0.0.11"));
    slot.onStop((reason) => stopped.push(`${name}: ${reason}`));
    return slot;
  });
  slots[1].idle(); // b waits longest...
  slots[2].idle();
  slots[0].busy(); // ...a is carrying out a command.
  admitted(admission.admit("127.0.0.12"));
  assertEquals(stopped, [`b: ${EVICTED}`]);
  assertEquals(admission.size, 3);
  admitted(admission.admit("127.0.0.12"));
  assertEquals(stopped, [`b: ${EVICTED}`, `c: ${EVICTED}`]);
  // Only the busy one and the two newcomers are left, none of them idle.
  assertEquals(
    admission.admit("127.0.0.13"),
    "The server is full (at most 3 at once): try again later",
  );
  slots[1].release(); // A session that gave way finishes closing: nothing changes.
  assertEquals(admission.size, 3);
});

Deno.test("`Admission` checks the per-address cap first: nobody gives way for a refused newcomer", () => {
  const admission = new Admission({ maxSessions: 1, maxSessionsPerPeer: 1 });
  const slot = admitted(admission.admit("127.0.0.11"));
  let stopped = false;
  slot.onStop(() => stopped = true);
  slot.idle();
  assertEquals(
    admission.admit("127.0.0.11"),
    "Too many sessions from 127.0.0.11 (limit 1): close one first",
  );
  assertEquals(stopped, false);
  slot.release();
  slot.release();
  assertEquals(admission.size, 0);
  admitted(admission.admit("127.0.0.11"));
});

Deno.test("`Admission.stopAll()` asks every session to stop, and they keep their places until they end", () => {
  const admission = new Admission({ maxSessions: 10, maxSessionsPerPeer: 10 });
  const reasons: string[] = [];
  const slots = [1, 2].map(() => admitted(admission.admit("127.0.0.11")));
  slots.forEach((slot) => slot.onStop((reason) => reasons.push(reason)));
  slots[0].idle();
  admission.stopAll("The server is shutting down");
  admission.stopAll("The server is shutting down"); // Each is asked once.
  assertEquals(reasons, ["The server is shutting down", "The server is shutting down"]);
  assertEquals(admission.size, 2);
});
