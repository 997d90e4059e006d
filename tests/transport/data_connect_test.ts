/**
 * `connectData()` over real loopback sockets: it connects, waits out a peer that
 * announced its port before listening, and gives up when told or when time is up.
 */

import { assertEquals, assertRejects } from "../support/assert.ts";
import { connectData } from "../../src/transport/data_connect.ts";
import { tcp } from "../../src/transport/tcp.ts";

const LOOPBACK = "127.0.0.1";

/** A port nothing listens on: one the OS just gave out and took back. */
function closedPort(): number {
  const listener = tcp.listen({ hostname: LOOPBACK, port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

Deno.test("`connectData()` connects to a listening port at once", async () => {
  const listener = tcp.listen({ hostname: LOOPBACK, port: 0 });
  try {
    const [accepted, connection] = await Promise.all([
      listener.accept(),
      connectData(tcp, listener.addr),
    ]);
    assertEquals(connection.remoteAddr.port, listener.addr.port);
    accepted.close();
    connection.close();
  } finally {
    listener.close();
  }
});

Deno.test("`connectData()` waits for a peer that listens only after sending its port", async () => {
  const port = closedPort();
  const connecting = connectData(tcp, { hostname: LOOPBACK, port });
  await new Promise((resolve) => setTimeout(resolve, 100)); // The peer's bug being tolerated.
  const late = tcp.listen({ hostname: LOOPBACK, port });
  try {
    const [accepted, connection] = await Promise.all([late.accept(), connecting]);
    accepted.close();
    connection.close();
  } finally {
    late.close();
  }
});

Deno.test("`connectData()` gives up on a refused port once `retryFor` has passed", async () => {
  const started = performance.now();
  await assertRejects(
    () => connectData(tcp, { hostname: LOOPBACK, port: closedPort() }, { retryFor: 100 }),
    Deno.errors.ConnectionRefused,
  );
  assertEquals(performance.now() - started < 2_000, true, "well before the default 3 s");
});

Deno.test("`connectData()` stops retrying when its signal aborts", async () => {
  const controller = new AbortController();
  const connecting = connectData(tcp, { hostname: LOOPBACK, port: closedPort() }, {
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(), 30);
  await assertRejects(() => connecting, Error);
  assertEquals(controller.signal.aborted, true);
});
