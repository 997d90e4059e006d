/**
 * From a name to the addresses to try, and trying each: a server on one family only
 * is reached whichever it chose. Names are literals and `localhost` only (answered
 * without asking DNS), or an injected resolver: nothing leaves the machine.
 */
import { assertEquals, assertRejects } from "../support/assert.ts";
import { HAS_IPV6_LOOPBACK } from "../support/helpers.ts";
import { tcp } from "../../src/transport/tcp.ts";
import { connectAny, ResolveError, systemResolver } from "../../src/transport/resolve.ts";

/** A port nothing listens on, on either loopback address. */
function closedPort(): number {
  const listener = tcp.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

Deno.test("systemResolver() takes an address as itself, and localhost as both loopbacks", async () => {
  assertEquals(await systemResolver("127.0.0.1"), ["127.0.0.1"]);
  assertEquals(await systemResolver("::1"), ["::1"]);
  assertEquals(await systemResolver("[::1]"), ["::1"]);
  for (const name of ["localhost", "LOCALHOST", "localhost.", "ferry.localhost"]) {
    assertEquals(await systemResolver(name), ["::1", "127.0.0.1"], name);
  }
});

Deno.test({
  name: "connectAny() reaches a server on either loopback when the name stands for both",
  ignore: !HAS_IPV6_LOOPBACK,
  async fn() {
    for (const hostname of ["127.0.0.1", "::1"]) {
      const listener = tcp.listen({ hostname, port: 0 });
      const resolve = (name: string) =>
        Promise.resolve(name === "both.test" ? ["::1", "127.0.0.1"] : []);
      const [accepted, connection] = await Promise.all([
        listener.accept(),
        connectAny(tcp, { hostname: "both.test", port: listener.addr.port }, { resolve }),
      ]);
      assertEquals(connection.remoteAddr.hostname, hostname);
      accepted.close();
      connection.close();
      // And by the system's own answer for localhost, which asks no DNS.
      const [again, local] = await Promise.all([
        listener.accept(),
        connectAny(tcp, { hostname: "localhost", port: listener.addr.port }),
      ]);
      assertEquals(local.remoteAddr.hostname, hostname);
      again.close();
      local.close();
      listener.close();
    }
  },
});

Deno.test("connectAny() names every address it tried when none answered", async () => {
  const port = closedPort();
  const resolve = () => Promise.resolve(["127.0.0.1", "127.0.0.2"]);
  const error = await assertRejects(
    () => connectAny(tcp, { hostname: "two.test", port }, { resolve }),
    Error,
  );
  assertEquals(
    error.message,
    `Connection refused (tried 127.0.0.1:${port}, 127.0.0.2:${port})`,
  );
  // One address: its own error, as it is.
  await assertRejects(
    () => connectAny(tcp, { hostname: "127.0.0.1", port }),
    Deno.errors.ConnectionRefused,
  );
});

Deno.test("connectAny() refuses a name with no address, in ferry's words", async () => {
  await assertRejects(
    () =>
      connectAny(tcp, { hostname: "none.test", port: 1 }, { resolve: () => Promise.resolve([]) }),
    ResolveError,
    "the name has no address",
  );
});
