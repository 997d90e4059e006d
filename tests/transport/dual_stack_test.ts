/**
 * Listening on both families: one dual-stack socket where the system has them, two
 * listeners where `::` takes IPv6 only, IPv4 alone where there is no IPv6. Real
 * sockets, loopback only: the wildcard addresses are mapped to loopback ones by a
 * transport that also plays the system that lacks a feature.
 */
import { assertEquals, assertThrows } from "../support/assert.ts";
import { HAS_IPV6_LOOPBACK } from "../support/helpers.ts";
import type { Transport } from "../../src/transport/connection.ts";
import { listenEverywhere } from "../../src/transport/dual_stack.ts";
import { tcp } from "../../src/transport/tcp.ts";

/** tcp, with `::` as `::1` (IPv6 only, as with bindv6only) and `0.0.0.0` as `127.0.0.1`. */
function splitStack(options: { noIpv6?: boolean } = {}): Transport & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    connect: tcp.connect,
    listen(address) {
      asked.push(address.hostname);
      if (address.hostname === "::" && options.noIpv6) {
        throw new Deno.errors.AddrNotAvailable("Cannot assign requested address");
      }
      const hostname = address.hostname === "::" ? "::1" : "127.0.0.1";
      return tcp.listen({ hostname, port: address.port });
    },
  };
}

/** Connects to `hostname:port` and returns the address the server saw. */
async function peerSeen(
  listener: { accept(): Promise<{ remoteAddr: { hostname: string }; close(): void }> },
  hostname: string,
  port: number,
): Promise<string> {
  const [accepted, connection] = await Promise.all([
    listener.accept(),
    tcp.connect({ hostname, port }),
  ]);
  accepted.close();
  connection.close();
  return accepted.remoteAddr.hostname;
}

Deno.test({
  name: "listenEverywhere() takes IPv4 and IPv6 on one port, and shows IPv4 peers unmapped",
  ignore: !HAS_IPV6_LOOPBACK,
  async fn() {
    const listener = listenEverywhere(tcp, 0);
    try {
      assertEquals(listener.addr.hostname, "::");
      const { port } = listener.addr;
      assertEquals(await peerSeen(listener, "127.0.0.1", port), "127.0.0.1");
      assertEquals(await peerSeen(listener, "::1", port), "::1");
    } finally {
      listener.close();
    }
  },
});

Deno.test({
  name: "listenEverywhere() adds an IPv4 listener on the same port where :: is IPv6 only",
  ignore: !HAS_IPV6_LOOPBACK,
  async fn() {
    const transport = splitStack();
    const listener = listenEverywhere(transport, 0);
    try {
      assertEquals(transport.asked, ["::", "0.0.0.0"]);
      const { port } = listener.addr;
      // Several in turn on each: an accept under way on one is never lost to the other.
      for (const hostname of ["127.0.0.1", "::1", "::1", "127.0.0.1"]) {
        assertEquals(await peerSeen(listener, hostname, port), hostname);
      }
    } finally {
      listener.close();
    }
  },
});

Deno.test("listenEverywhere() listens on IPv4 alone where there is no IPv6", async () => {
  const transport = splitStack({ noIpv6: true });
  const listener = listenEverywhere(transport, 0);
  try {
    assertEquals(transport.asked, ["::", "0.0.0.0"]);
    assertEquals(await peerSeen(listener, "127.0.0.1", listener.addr.port), "127.0.0.1");
  } finally {
    listener.close();
  }
});

Deno.test("listenEverywhere() fails as it is when the port is taken, not falling back", () => {
  // Taken on IPv6 (where there is IPv6): not mistaken for "no IPv6 here".
  const cases = HAS_IPV6_LOOPBACK
    ? [{ on: "::1", noIpv6: false }, { on: "127.0.0.1", noIpv6: true }]
    : [{ on: "127.0.0.1", noIpv6: true }];
  for (const { on, noIpv6 } of cases) {
    const taken = Deno.listen({ hostname: on, port: 0 });
    try {
      const transport = splitStack({ noIpv6 });
      assertThrows(() => listenEverywhere(transport, taken.addr.port), Deno.errors.AddrInUse);
      assertEquals(transport.asked, noIpv6 ? ["::", "0.0.0.0"] : ["::"], on);
    } finally {
      taken.close();
    }
  }
});
