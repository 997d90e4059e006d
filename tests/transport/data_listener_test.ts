/**
 * `DataListener`: one connection, from one peer, before a deadline. Real loopback
 * sockets; an intruder from 127.0.0.2 where the host can originate from it (through
 * `node:net`, since `Deno.connect` cannot bind a local address), and everywhere by
 * naming 127.0.0.2 as the peer so that a connection from 127.0.0.1 is the intruder.
 */

import { closeQuietly } from "../../src/transport/connection.ts";
import net from "node:net";
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { TransferError } from "../../src/common/errors.ts";
import type {
  Connection,
  Listener,
  NetAddress,
  Transport,
} from "../../src/transport/connection.ts";
import { DataListener } from "../../src/transport/data_listener.ts";
import { tcp } from "../../src/transport/tcp.ts";

const LOOPBACK = "127.0.0.1";
const OTHER_LOOPBACK = "127.0.0.2";

/** Whether this host has 127.0.0.2 (Linux does; macOS only has 127.0.0.1 by default). */
const HAS_OTHER_LOOPBACK = (() => {
  try {
    Deno.listen({ hostname: OTHER_LOOPBACK, port: 0 }).close();
    return true;
  } catch {
    return false;
  }
})();

/** `promise`, plus whether it has settled yet (tracked from the moment it is made). */
function tracked<T>(promise: Promise<T>): { promise: Promise<T>; readonly settled: boolean } {
  let settled = false;
  promise.then(() => settled = true, () => settled = true);
  return {
    promise,
    get settled() {
      return settled;
    },
  };
}

/** Resolves the next time `onIntruder` is called; collects every address. */
function intruderLog() {
  const addresses: NetAddress[] = [];
  let wake = () => {};
  return {
    addresses,
    onIntruder(address: NetAddress) {
      addresses.push({ hostname: address.hostname, port: address.port });
      wake();
    },
    /** Resolves once `count` intruders have been reported. */
    async reported(count: number): Promise<void> {
      while (addresses.length < count) await new Promise<void>((resolve) => wake = resolve);
    },
  };
}

/** Reads until the end of stream or a reset; true if the peer closed without sending. */
async function closedUnread(connection: Connection): Promise<boolean> {
  const reader = connection.readable.getReader({ mode: "byob" });
  try {
    const { done } = await reader.read(new Uint8Array(16));
    return done;
  } catch {
    return true; // A reset is a close too.
  } finally {
    reader.releaseLock();
  }
}

Deno.test("`DataListener.accept()` returns the expected peer's connection, then stops listening", async () => {
  using listener = DataListener.open(tcp, { hostname: LOOPBACK, peer: LOOPBACK });
  assert(listener.port > 0, `port ${listener.port} should be OS-chosen`);
  // Connectable as soon as open() returns, before accept() is even called.
  const client = await tcp.connect({ hostname: LOOPBACK, port: listener.port });
  const accepted = await listener.accept();
  try {
    assertEquals(
      [accepted.remoteAddr.hostname, accepted.remoteAddr.port],
      [LOOPBACK, client.localAddr.port],
    );
    await accepted.write(new TextEncoder().encode("data"));
    const got = await client.readable.getReader({ mode: "byob" }).read(new Uint8Array(8));
    assertEquals(new TextDecoder().decode(got.value), "data");
    // One connection only: the port is closed now.
    await assertRejects(
      () => tcp.connect({ hostname: LOOPBACK, port: listener.port }),
      Deno.errors.ConnectionRefused,
    );
  } finally {
    accepted.close();
    client.close();
  }
});

Deno.test({
  name:
    "`DataListener` refuses a connection from 127.0.0.2, reports it, and goes on to accept the peer",
  ignore: !HAS_OTHER_LOOPBACK,
}, async () => {
  const intruders = intruderLog();
  using listener = DataListener.open(tcp, {
    hostname: LOOPBACK,
    peer: LOOPBACK,
    acceptTimeout: 10_000,
    onIntruder: intruders.onIntruder,
  });
  const accepting = tracked(listener.accept());

  const intruder = net.connect({
    host: LOOPBACK,
    port: listener.port,
    localAddress: OTHER_LOOPBACK,
  });
  intruder.on("error", () => {}); // A reset is as good as a close here.
  const received: Uint8Array[] = [];
  intruder.on("data", (chunk: Uint8Array) => received.push(chunk));
  const intruderClosed = new Promise((resolve) => intruder.once("close", resolve));
  const intruderPort = await new Promise<number>((resolve) =>
    intruder.once("connect", () => resolve(intruder.localPort!))
  );
  await intruders.reported(1);
  await intruderClosed;
  assertEquals(intruders.addresses, [{ hostname: OTHER_LOOPBACK, port: intruderPort }]);
  assertEquals(received, [], "the intruder was sent nothing");
  assertEquals(accepting.settled, false, "accept() should keep waiting for the peer");

  const peer = await tcp.connect({ hostname: LOOPBACK, port: listener.port });
  const accepted = await accepting.promise;
  try {
    assertEquals(accepted.remoteAddr.port, peer.localAddr.port);
  } finally {
    accepted.close();
    peer.close();
  }
});

Deno.test("`DataListener` closes connections from other addresses unread and keeps waiting", async () => {
  // Everything here connects from 127.0.0.1, so naming 127.0.0.2 as the peer makes
  // each connection an intruder.
  const intruders = intruderLog();
  using listener = DataListener.open(tcp, {
    hostname: LOOPBACK,
    peer: OTHER_LOOPBACK,
    acceptTimeout: 10_000,
    onIntruder: intruders.onIntruder,
  });
  const accepting = tracked(listener.accept()); // Awaited below; rejects when closed.

  const ports: number[] = [];
  for (let i = 1; i <= 2; i++) {
    const intruder = await tcp.connect({ hostname: LOOPBACK, port: listener.port });
    try {
      ports.push(intruder.localAddr.port);
      await intruders.reported(i);
      assertEquals(await closedUnread(intruder), true, `intruder ${i} should be closed`);
      assertEquals(accepting.settled, false, `accept() settled after intruder ${i}`);
    } finally {
      intruder.close();
    }
  }
  assertEquals(intruders.addresses, ports.map((port) => ({ hostname: LOOPBACK, port })));

  listener.close();
  await assertRejects(() => accepting.promise, Error);
});

Deno.test("`DataListener.accept()` times out with TransferError and closes the port", async () => {
  using listener = DataListener.open(tcp, {
    hostname: LOOPBACK,
    peer: LOOPBACK,
    acceptTimeout: 50,
  });
  const started = performance.now();
  const error = await assertRejects(
    () => listener.accept(),
    TransferError,
    "No data connection arrived within 0.05 s",
  );
  const waited = performance.now() - started;
  assert(waited >= 49, `gave up after ${waited.toFixed(1)} ms, before the 50 ms deadline`);
  assertEquals(error.message, "No data connection arrived within 0.05 s");
  await assertRejects(
    () => tcp.connect({ hostname: LOOPBACK, port: listener.port }),
    Deno.errors.ConnectionRefused,
  );
});

Deno.test("`DataListener.accept()` times out even while intruders keep it busy", async () => {
  const intruders = intruderLog();
  using listener = DataListener.open(tcp, {
    hostname: LOOPBACK,
    peer: OTHER_LOOPBACK,
    acceptTimeout: 200,
    onIntruder: intruders.onIntruder,
  });
  const accepting = listener.accept();
  accepting.catch(() => {}); // Awaited below.
  const intruder = await tcp.connect({ hostname: LOOPBACK, port: listener.port });
  try {
    await intruders.reported(1);
    await assertRejects(() => accepting, TransferError, "No data connection arrived within 0.2 s");
  } finally {
    intruder.close();
  }
});

Deno.test("`DataListener.close()` makes a pending `accept()` reject, and is safe to call twice", async () => {
  const listener = DataListener.open(tcp, { hostname: LOOPBACK, peer: LOOPBACK });
  const accepting = listener.accept();
  accepting.catch(() => {}); // Awaited below.
  listener.close();
  listener.close();
  const error = await assertRejects(() => accepting, Error);
  assert(!(error instanceof TransferError), `a close is not a timeout: ${error.message}`);
  await assertRejects(() => listener.accept(), Error);
});

Deno.test("`DataListener` stops listening when disposed", async () => {
  let port;
  {
    using listener = DataListener.open(tcp, { hostname: LOOPBACK, peer: LOOPBACK });
    port = listener.port;
  }
  await assertRejects(
    () => tcp.connect({ hostname: LOOPBACK, port }),
    Deno.errors.ConnectionRefused,
  );
});

/** A transport whose one listener hands out scripted connections, then waits forever. */
function scriptedTransport(remotes: string[]) {
  const closed: string[] = [];
  const listened: NetAddress[] = [];
  let listenerClosed = false;
  let failPending = (_: Error) => {};
  const connections = remotes.map((hostname, i): Connection => ({
    readable: new ReadableStream({ type: "bytes" }),
    writable: new WritableStream(),
    localAddr: { hostname: LOOPBACK, port: 4000 },
    remoteAddr: { hostname, port: 5000 + i },
    closeWrite: () => Promise.resolve(),
    close: () => void closed.push(`${hostname}:${5000 + i}`),
  }));
  const listener: Listener = {
    addr: { hostname: LOOPBACK, port: 4000 },
    accept() {
      const next = connections.shift();
      if (next) return Promise.resolve(next);
      return new Promise((_, reject) => failPending = reject);
    },
    close() {
      listenerClosed = true;
      failPending(new Error("listener closed"));
    },
  };
  const transport: Transport = {
    listen(address) {
      listened.push(address);
      return listener;
    },
    connect: () => Promise.reject(new Error("not used")),
  };
  return {
    transport,
    closed,
    listened,
    get listenerClosed() {
      return listenerClosed;
    },
  };
}

Deno.test("`DataListener` skips any number of intruders and returns the peer's connection", async () => {
  const script = scriptedTransport(["127.0.0.3", "127.0.0.2", "::1", LOOPBACK]);
  const intruders = intruderLog();
  using listener = DataListener.open(script.transport, {
    hostname: LOOPBACK,
    peer: LOOPBACK,
    onIntruder: intruders.onIntruder,
  });
  assertEquals(script.listened, [{ hostname: LOOPBACK, port: 0 }]);
  const accepted = await listener.accept();
  assertEquals(accepted.remoteAddr, { hostname: LOOPBACK, port: 5003 });
  assertEquals(intruders.addresses.map((a) => a.hostname), ["127.0.0.3", "127.0.0.2", "::1"]);
  assertEquals(script.closed, ["127.0.0.3:5000", "127.0.0.2:5001", "::1:5002"]);
  assertEquals(script.listenerClosed, true, "the listener closes once the peer is in");
});

Deno.test("`DataListener` turns away a peer connection that `admit` refuses, and takes the next", async () => {
  const intruders = intruderLog();
  using listener = DataListener.open(tcp, {
    hostname: LOOPBACK,
    peer: LOOPBACK,
    admit: async (channel) => {
      const first = await channel.readExactly(6);
      return first !== null && new TextDecoder().decode(first) === "ticket";
    },
    onIntruder: intruders.onIntruder,
  });
  const accepting = listener.accept();
  const silent = await tcp.connect({ hostname: LOOPBACK, port: listener.port });
  const wrong = await tcp.connect({ hostname: LOOPBACK, port: listener.port });
  const right = await tcp.connect({ hostname: LOOPBACK, port: listener.port });
  const writeAll = async (connection: typeof wrong, text: string) => {
    const writer = connection.writable.getWriter();
    await writer.write(new TextEncoder().encode(text));
    writer.releaseLock();
  };
  await writeAll(wrong, "badbad");
  await intruders.reported(1);
  await writeAll(right, "ticket+payload");
  const accepted = await accepting;
  try {
    const rest = await accepted.readExactly(8);
    assertEquals(new TextDecoder().decode(rest!), "+payload", "bytes after the ticket stay");
    assertEquals(intruders.addresses.length, 1, "the wrong ticket was turned away");
  } finally {
    accepted.close();
    for (const connection of [wrong, silent, right]) closeQuietly(connection);
  }
});
