/**
 * `NodeConnection`: a `node:net` socket as a Connection, over real loopback sockets.
 * Its readable copies the socket's chunks straight into the reader's buffer, pauses
 * the socket while a reader falls behind, and ends, fails or is cancelled as the
 * socket does.
 */

import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { assert, assertEquals, assertRejects, assertThrows } from "../support/assert.ts";
import { randomBytes, sha256 } from "../support/helpers.ts";
import { NodeConnection } from "../../src/transport/node_socket.ts";

const encoder = new TextEncoder();

/** A connected pair: the server's socket as it is, the client's also as a NodeConnection. */
interface SocketPair extends AsyncDisposable {
  peer: Socket;
  socket: Socket;
  connection: NodeConnection;
}

async function socketPair(): Promise<SocketPair> {
  const server: Server = createServer({ allowHalfOpen: true });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const accepted = once(server, "connection");
  const port = (server.address() as AddressInfo).port;
  const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
  await once(socket, "connect");
  const [peer] = await accepted as [Socket];
  server.close();
  peer.resume(); // Flowing, so it sees the end of stream; tests that read it listen first.
  // Not `once()`, which would reject on a socket's error: some tests cause one.
  const closed = [peer, socket].map((s) => new Promise((resolve) => s.once("close", resolve)));
  const connection = new NodeConnection(socket);
  return {
    peer,
    socket,
    connection,
    async [Symbol.asyncDispose]() {
      peer.destroy();
      socket.destroy();
      await Promise.all(closed);
    },
  };
}

/** Writes `bytes` to a node socket and waits until they are handed to the OS. */
function send(socket: Socket, bytes: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.write(bytes, (error?: Error | null) => error ? reject(error) : resolve());
  });
}

Deno.test("`NodeConnection` fills a BYOB reader's buffer from several socket chunks", async () => {
  await using pair = await socketPair();
  const reader = pair.connection.readable.getReader({ mode: "byob" });
  const memory = new ArrayBuffer(16);
  for (const piece of ["ab", "cd", "ef"]) await send(pair.peer, piece);
  const { value } = await reader.read(new Uint8Array(memory, 4, 8), { min: 6 });
  assertEquals(new TextDecoder().decode(value), "abcdef");
  assertEquals([value!.byteOffset, value!.buffer.byteLength], [4, 16], "the caller's own memory");
  reader.releaseLock();
});

Deno.test("`NodeConnection` keeps what does not fit for the next read, in order", async () => {
  await using pair = await socketPair();
  const reader = pair.connection.readable.getReader({ mode: "byob" });
  await send(pair.peer, "0123456789");
  pair.peer.end();
  let text = "";
  for (let reads = 0; reads < 20; reads++) {
    const { value, done } = await reader.read(new Uint8Array(3));
    if (done) break;
    assert(value.byteLength <= 3, `a 3-byte read returned ${value.byteLength} bytes`);
    text += new TextDecoder().decode(value);
  }
  assertEquals(text, "0123456789");
  reader.releaseLock();
});

Deno.test("`NodeConnection` serves a default reader too, and ends when the peer half-closes", async () => {
  await using pair = await socketPair();
  const reader = pair.connection.readable.getReader();
  await send(pair.peer, "hello");
  pair.peer.end();
  let text = "";
  for (let reads = 0; reads < 10; reads++) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  assertEquals(text, "hello");
  reader.releaseLock();
});

Deno.test("`NodeConnection` holds a fast sender back while its reader lags, and loses nothing", async () => {
  await using pair = await socketPair();
  const data = randomBytes(8 << 20);
  const sent = send(pair.peer, data).then(() => pair.peer.end());
  sent.catch(() => {}); // Awaited below; a failure before that must not go unhandled.
  // Nothing is read until the socket has paused, with a mebibyte waiting unread.
  await once(pair.socket, "pause");
  assert(pair.socket.bytesRead < data.byteLength / 2, `${pair.socket.bytesRead} bytes read ahead`);
  const reader = pair.connection.readable.getReader({ mode: "byob" });
  let received = new ArrayBuffer(data.byteLength);
  let filled = 0;
  for (let reads = 0; filled < data.byteLength && reads < 10_000; reads++) {
    const size = Math.min(256 << 10, data.byteLength - filled);
    const { value, done } = await reader.read(new Uint8Array(received, filled, size));
    if (done) break;
    received = value.buffer as ArrayBuffer; // The read took the memory over.
    filled += value.byteLength;
  }
  await sent;
  assertEquals([filled, sha256(new Uint8Array(received))], [data.byteLength, sha256(data)]);
  reader.releaseLock();
});

Deno.test("`NodeConnection` fails a waiting read with the socket's error", async () => {
  await using pair = await socketPair();
  const reader = pair.connection.readable.getReader({ mode: "byob" });
  const read = reader.read(new Uint8Array(8));
  pair.socket.destroy(new Error("the cable was cut"));
  await assertRejects(() => read, Error, "the cable was cut");
});

Deno.test("`NodeConnection` fails a read when the socket closes without an end", async () => {
  await using pair = await socketPair();
  const reader = pair.connection.readable.getReader({ mode: "byob" });
  const read = reader.read(new Uint8Array(8));
  pair.socket.destroy();
  await assertRejects(() => read, Error, "the connection was closed");
});

Deno.test("`NodeConnection`'s readable, cancelled, destroys the socket", async () => {
  await using pair = await socketPair();
  const ended = once(pair.peer, "end");
  await pair.connection.readable.cancel();
  await ended;
  assertEquals(pair.socket.destroyed, true);
});

Deno.test("`NodeConnection` writes in order, and can still write after its peer half-closes", async () => {
  await using pair = await socketPair();
  const reader = pair.connection.readable.getReader();
  pair.peer.end();
  assertEquals((await reader.read()).done, true);
  const writer = pair.connection.writable.getWriter();
  const received = once(pair.peer, "data");
  await writer.write(encoder.encode("status"));
  assertEquals(new TextDecoder().decode((await received)[0] as Uint8Array), "status");
  writer.releaseLock();
  reader.releaseLock();
});

Deno.test("`NodeConnection.close()` closes the socket, and throws the second time", async () => {
  await using pair = await socketPair();
  const ended = once(pair.peer, "end");
  pair.connection.close();
  await ended;
  assertThrows(() => pair.connection.close(), Deno.errors.BadResource, "the connection is closed");
});

Deno.test("`NodeConnection` reports the socket's addresses", async () => {
  await using pair = await socketPair();
  const { localAddr, remoteAddr } = pair.connection;
  assertEquals(localAddr, { hostname: "127.0.0.1", port: pair.peer.remotePort! });
  assertEquals(remoteAddr, { hostname: "127.0.0.1", port: pair.peer.localPort! });
});
