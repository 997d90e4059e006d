import { assertEquals, assertThrows } from "../support/assert.ts";
import { ReceiveBuffer } from "../../src/protocol/receive_buffer.ts";

const ascii = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | undefined) =>
  bytes === undefined ? undefined : new TextDecoder().decode(bytes);

Deno.test("`ReceiveBuffer` starts empty and not ended", () => {
  const buffer = new ReceiveBuffer();
  assertEquals(buffer.length, 0);
  assertEquals(buffer.ended, false);
  assertEquals(buffer.take(1), undefined);
  assertEquals(buffer.peek(1), undefined);
  assertEquals(buffer.takeUpTo(10), new Uint8Array(0));
});

Deno.test("`take()` hands out exact lengths or nothing", () => {
  const buffer = new ReceiveBuffer();
  buffer.receive(ascii("abc"));
  assertEquals(buffer.take(4), undefined);
  assertEquals(buffer.length, 3);
  assertEquals(text(buffer.take(2)), "ab");
  assertEquals(text(buffer.take(1)), "c");
  assertEquals(buffer.length, 0);
  assertEquals(text(buffer.take(0)), "");
});

Deno.test("`receive()` appends chunks in order", () => {
  const buffer = new ReceiveBuffer();
  for (const chunk of ["he", "", "llo", " ", "world"]) buffer.receive(ascii(chunk));
  assertEquals(buffer.length, 11);
  assertEquals(text(buffer.take(11)), "hello world");
});

Deno.test("`receive()` copies the chunk, so the caller may reuse its memory", () => {
  const buffer = new ReceiveBuffer();
  const chunk = ascii("abcd");
  buffer.receive(chunk);
  chunk.fill(0x7a);
  assertEquals(text(buffer.take(4)), "abcd");
});

Deno.test("`receive()` copies only a view's own bytes", () => {
  const buffer = new ReceiveBuffer();
  buffer.receive(ascii("xxabcxx").subarray(2, 5));
  assertEquals(text(buffer.take(buffer.length)), "abc");
});

Deno.test("`take()` returns a copy that later receives do not overwrite", () => {
  const buffer = new ReceiveBuffer();
  buffer.receive(ascii("abcd"));
  const first = buffer.take(4)!;
  buffer.receive(ascii("wxyz"));
  assertEquals(text(first), "abcd");
  assertEquals(text(buffer.take(4)), "wxyz");
});

Deno.test("`peek()` shows bytes without removing them", () => {
  const buffer = new ReceiveBuffer();
  buffer.receive(ascii("0000000002ls"));
  assertEquals(text(buffer.peek(10)), "0000000002");
  assertEquals(buffer.length, 12);
  assertEquals(buffer.peek(13), undefined);
  assertEquals(text(buffer.take(12)), "0000000002ls");
});

Deno.test("`takeUpTo()` takes at most what is stored", () => {
  const buffer = new ReceiveBuffer();
  buffer.receive(ascii("abcdef"));
  assertEquals(text(buffer.takeUpTo(4)), "abcd");
  assertEquals(text(buffer.takeUpTo(100)), "ef");
  assertEquals(text(buffer.takeUpTo(100)), "");
});

Deno.test("`ReceiveBuffer` keeps bytes in order while it compacts and grows", () => {
  const buffer = new ReceiveBuffer();
  const sent: number[] = [];
  const taken: number[] = [];
  let next = 0;
  // Interleave receives and takes of awkward sizes so the buffer both reuses and
  // outgrows its memory.
  for (let round = 0; round < 200; round++) {
    const chunk = new Uint8Array((round * 37) % 301);
    for (let i = 0; i < chunk.length; i++) chunk[i] = next++ % 251;
    sent.push(...chunk);
    buffer.receive(chunk);
    taken.push(...buffer.takeUpTo((round * 53) % 307));
  }
  taken.push(...buffer.takeUpTo(Infinity));
  assertEquals(taken.length, sent.length);
  assertEquals(taken, sent);
});

Deno.test("`receiveEnd()` marks the end but keeps what is stored", () => {
  const buffer = new ReceiveBuffer();
  buffer.receive(ascii("ab"));
  buffer.receiveEnd();
  assertEquals(buffer.ended, true);
  assertEquals(text(buffer.take(2)), "ab");
});

Deno.test("`receive()` after the end is a TypeError", () => {
  const buffer = new ReceiveBuffer();
  buffer.receiveEnd();
  assertThrows(
    () => buffer.receive(ascii("x")),
    TypeError,
    "Cannot receive bytes after the end of the stream",
  );
});
