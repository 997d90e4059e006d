/**
 * `tcp.ts` over real loopback sockets: the byte stream it reads through, the
 * half-close it must survive, and its listener.
 */

import { assert, assertEquals, assertRejects, assertThrows } from "../support/assert.ts";
import { HAS_IPV6_LOOPBACK } from "../support/helpers.ts";
import { closeQuietly, type Connection } from "../../src/transport/connection.ts";
import { readableOf, tcp, TcpConnection } from "../../src/transport/tcp.ts";

const LOOPBACK = "127.0.0.1";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Two ends of one loopback connection: [accepted, connected]. */
async function socketPair(): Promise<[Connection, Connection]> {
  const listener = tcp.listen({ hostname: LOOPBACK, port: 0 });
  try {
    return await Promise.all([listener.accept(), tcp.connect(listener.addr)]);
  } finally {
    listener.close();
  }
}

/** A port nothing listens on: one the OS just gave out and took back. */
function closedPort(): number {
  const listener = tcp.listen({ hostname: LOOPBACK, port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

async function writeAll(connection: Connection, bytes: Uint8Array): Promise<void> {
  const writer = connection.writable.getWriter();
  try {
    await writer.write(bytes);
  } finally {
    writer.releaseLock();
  }
}

/** Everything until the end of stream, through a BYOB reader (bounded by `limit` bytes). */
async function readToEnd(connection: Connection, limit = 1 << 20): Promise<Uint8Array> {
  const reader = connection.readable.getReader({ mode: "byob" });
  const out = new Uint8Array(limit);
  let length = 0;
  try {
    while (length < limit) {
      const { value, done } = await reader.read(new Uint8Array(limit - length));
      if (done) break;
      out.set(value, length);
      length += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  return out.slice(0, length);
}

Deno.test("`TcpConnection.readable` is a byte stream that fills the caller's own buffer", async () => {
  const [server, client] = await socketPair();
  try {
    await writeAll(client, encoder.encode("hello"));
    const reader = server.readable.getReader({ mode: "byob" });
    const buffer = new ArrayBuffer(16);
    const { value, done } = await reader.read(new Uint8Array(buffer, 3, 13), { min: 5 });
    assertEquals(done, false);
    assertEquals(decoder.decode(value), "hello");
    // The bytes come back in the caller's memory (transferred), at the caller's offset.
    assertEquals([value!.buffer.byteLength, value!.byteOffset], [16, 3]);
    assertEquals(buffer.byteLength, 0, "the original buffer is transferred to the result");
    reader.releaseLock();
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("`TcpConnection.readable` also serves a default reader, in chunks of at most 64 KiB", async () => {
  const [server, client] = await socketPair();
  try {
    const sent = new Uint8Array(200_000).map((_, i) => i % 251);
    const writing = writeAll(client, sent).then(() => client.closeWrite());
    const reader = server.readable.getReader();
    const chunks: Uint8Array[] = [];
    for (let total = 0; total < sent.byteLength;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
    assertEquals(await reader.read(), { value: undefined, done: true });
    await writing;
    const largest = Math.max(...chunks.map((c) => c.byteLength));
    assert(largest <= 64 << 10, `a chunk of ${largest} bytes exceeds autoAllocateChunkSize`);
    const received = new Uint8Array(sent.byteLength);
    let offset = 0;
    for (const chunk of chunks) {
      received.set(chunk, offset);
      offset += chunk.byteLength;
    }
    assertEquals([offset, received], [sent.byteLength, sent]);
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("`TcpConnection` can still write after its peer half-closes and its readable ends", async () => {
  const [server, client] = await socketPair();
  try {
    await writeAll(client, encoder.encode("the whole upload"));
    await client.closeWrite();
    assertEquals(decoder.decode(await readToEnd(server)), "the whole upload");
    // The readable is done, but the socket is not: the status still goes out.
    await writeAll(server, encoder.encode("stored"));
    await server.closeWrite();
    assertEquals(decoder.decode(await readToEnd(client)), "stored");
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("Deno's own `conn.readable` closes the socket at end of stream (why tcp.ts wraps `conn.read()`)", async () => {
  // Documents the assumption behind readableOf(): if this starts failing, Deno no
  // longer closes the socket and the wrapper may be unnecessary.
  const listener = Deno.listen({ hostname: LOOPBACK, port: 0 });
  const [server, client] = await Promise.all([
    listener.accept(),
    Deno.connect({ hostname: LOOPBACK, port: listener.addr.port }),
  ]);
  listener.close();
  try {
    await client.closeWrite();
    const reader = server.readable.getReader();
    assertEquals(await reader.read(), { value: undefined, done: true });
    await assertRejects(() => server.write(new Uint8Array([1])), Deno.errors.BadResource);
  } finally {
    closeQuietly(server);
    client.close();
  }
});

Deno.test("`readableOf()` ends its stream, but leaves the `Deno.Conn` open, when the peer half-closes", async () => {
  const listener = Deno.listen({ hostname: LOOPBACK, port: 0 });
  const [server, client] = await Promise.all([
    listener.accept(),
    Deno.connect({ hostname: LOOPBACK, port: listener.addr.port }),
  ]);
  listener.close();
  try {
    await client.write(encoder.encode("x"));
    await client.closeWrite();
    const reader = readableOf(server).getReader({ mode: "byob" });
    const first = await reader.read(new Uint8Array(8));
    assertEquals([decoder.decode(first.value), first.done], ["x", false]);
    const end = await reader.read(new Uint8Array(8));
    assertEquals([end.value?.byteLength, end.done], [0, true]);
    assertEquals(await server.write(encoder.encode("ok")), 2);
    server.close(); // Throws if the stream had closed it already.
    const answer = new Uint8Array(8);
    const n = await client.read(answer);
    assertEquals(decoder.decode(answer.subarray(0, n ?? 0)), "ok");
  } finally {
    closeQuietly(server);
    client.close();
  }
});

Deno.test("`TcpConnection` reports both ends' addresses, which mirror each other", async () => {
  const [server, client] = await socketPair();
  try {
    assertEquals(
      [server.localAddr.hostname, server.remoteAddr.hostname, client.remoteAddr.hostname],
      [LOOPBACK, LOOPBACK, LOOPBACK],
    );
    assertEquals(
      [server.remoteAddr.port, server.localAddr.port],
      [client.localAddr.port, client.remoteAddr.port],
    );
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("`TcpConnection.close()` throws when called twice; `closeQuietly()` does not", async () => {
  const [server, client] = await socketPair();
  server.close();
  client.close();
  // A second close() throws, as Connection documents.
  assertThrows(() => client.close(), Deno.errors.BadResource);
  closeQuietly(client);
});

Deno.test("`TcpConnection` wraps a raw `Deno.TcpConn` (test peers use it directly)", async () => {
  const listener = Deno.listen({ hostname: LOOPBACK, port: 0 });
  const [accepted, raw] = await Promise.all([
    listener.accept(),
    Deno.connect({ hostname: LOOPBACK, port: listener.addr.port }),
  ]);
  listener.close();
  const wrapped = new TcpConnection(raw);
  try {
    await writeAll(wrapped, encoder.encode("via wrapper"));
    await wrapped.closeWrite();
    const got = new Uint8Array(32);
    let length = 0;
    for (let n; length < got.byteLength && (n = await accepted.read(got.subarray(length)));) {
      length += n;
    }
    assertEquals(decoder.decode(got.subarray(0, length)), "via wrapper");
  } finally {
    accepted.close();
    wrapped.close();
  }
});

Deno.test("`tcp.listen()` on port 0 gets an OS-chosen port on the requested address", () => {
  const listener = tcp.listen({ hostname: LOOPBACK, port: 0 });
  try {
    assertEquals(listener.addr.hostname, LOOPBACK);
    assert(listener.addr.port > 0, `port ${listener.addr.port} should be OS-chosen`);
  } finally {
    listener.close();
  }
});

Deno.test({
  name: "`tcp.listen()` and `tcp.connect()` work on IPv6 loopback too",
  ignore: !HAS_IPV6_LOOPBACK, // A host without ::1 cannot run it.
}, async () => {
  const listener = tcp.listen({ hostname: "::1", port: 0 });
  try {
    const [server, client] = await Promise.all([listener.accept(), tcp.connect(listener.addr)]);
    assertEquals([server.remoteAddr.hostname, client.remoteAddr.hostname], ["::1", "::1"]);
    server.close();
    client.close();
  } finally {
    listener.close();
  }
});

Deno.test("`Listener.accept()` rejects once the listener is closed, pending or not", async () => {
  const listener = tcp.listen({ hostname: LOOPBACK, port: 0 });
  const pending = listener.accept();
  listener.close();
  await assertRejects(() => pending, Deno.errors.BadResource, "closed");
  await assertRejects(() => listener.accept(), Deno.errors.BadResource, "closed");
});

Deno.test("`tcp.connect()` to a closed loopback port (a listener just closed) is refused", async () => {
  await assertRejects(
    () => tcp.connect({ hostname: LOOPBACK, port: closedPort() }),
    Deno.errors.ConnectionRefused,
  );
});

Deno.test("`tcp.connect()` with an aborted signal gives up without connecting", async () => {
  const listener = tcp.listen({ hostname: LOOPBACK, port: 0 });
  try {
    const controller = new AbortController();
    controller.abort();
    await assertRejects(
      () => tcp.connect(listener.addr, { signal: controller.signal }),
      DOMException,
      "aborted",
    );
  } finally {
    listener.close();
  }
});
