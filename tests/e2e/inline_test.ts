/**
 * The `inline` extension end to end (PROTOCOL.md §18): `fetch` answered on the
 * control connection, pipelined; mget and get -r use it for small files; a corrupt
 * or cut answer leaves no file.
 */
import { connect } from "../../src/client/connect.ts";
import { runBatch } from "../../src/client/batch.ts";
import { planManyGet, planTreeGet } from "../../src/client/batch_plans.ts";
import { IntegrityError, TransferError } from "../../src/common/errors.ts";
import { encodeFrame } from "../../src/protocol/field.ts";
import { MAX_INLINE_BYTES } from "../../src/protocol/inline.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "../support/assert.ts";
import {
  concat,
  namesIn,
  randomBytes,
  RawClient,
  sha256,
  tempDir,
  testServer,
} from "../support/helpers.ts";
import { scriptedServer } from "../support/scripted_server.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HELLO = "Hello, world!\n";
const HELLO_SHA256 = "d9014c4624844aa5bac314773d6b689ad467fa4e1d1a50a1b8a99d5a95f72ff5";

Deno.test("fetch answers on the control connection, pipelined, byte for byte", async () => {
  await using server = await testServer();
  await Deno.writeTextFile(server.root.file("hello.txt"), HELLO);
  await Deno.writeFile(server.root.file("big.bin"), new Uint8Array(MAX_INLINE_BYTES + 1));
  using raw = await RawClient.connect(server.port);
  await raw.command("feat inline");
  assertEquals(decoder.decode((await raw.reader.readFrame(4096))!), "ok inline");
  // Three commands in one write: the answers come in order.
  await raw.send(
    encodeFrame("fetch hello.txt"),
    encodeFrame("fetch nope.txt"),
    encodeFrame("fetch big.bin"),
  );
  const expected = concat(
    `0000000074ok sha256 ${HELLO_SHA256}`,
    `0000000014${HELLO}`,
    "0000000000",
    '0000000023No such file "nope.txt"',
    `0000000014ok size ${MAX_INLINE_BYTES + 1}`,
  );
  assertEquals(
    decoder.decode((await raw.reader.readExact(expected.byteLength))!),
    decoder.decode(expected),
  );
  await raw.command("ls");
  assertEquals("port" in (await raw.reply())!, true, "the session goes on");
});

Deno.test("fetch needs the inline extension", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await raw.command("fetch hello.txt");
  const reply = await raw.reply();
  assertStringIncludes(JSON.stringify(reply), 'fetch needs the \\"inline\\" extension');
});

Deno.test("get -r of many small files and one large one fetches the small ones inline", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.mkdir(server.root.file("tree", "sub"), { recursive: true });
  const files = new Map<string, Uint8Array>();
  for (let i = 0; i < 40; i++) files.set(`f${i}.bin`, randomBytes(i * 97));
  files.set("sub/large.bin", randomBytes(MAX_INLINE_BYTES + 10));
  for (const [name, bytes] of files) await Deno.writeFile(server.root.file("tree", name), bytes);
  await using client = await connect({ port: server.port });
  const plan = await planTreeGet(client, { dir: "tree", into: local.path });
  const report = await runBatch(client, plan);
  assertEquals(report.outcomes.filter((o) => o.status === "sent").length, files.size);
  for (const [name, bytes] of files) {
    assertEquals(sha256(await Deno.readFile(local.file("tree", name))), sha256(bytes), name);
  }
  const actions = server.events.map((e) => e.action);
  assertEquals(actions.filter((a) => a === "fetch").length, 40);
  // The large one: a `reget`, as every get where `resume` is agreed (PROTOCOL.md §19).
  assertEquals(actions.filter((a) => a === "reget").length, 1);
});

Deno.test("mget of names whose sizes are unknown fetches inline and falls back to get", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.writeTextFile(server.root.file("small.txt"), "small");
  await Deno.writeFile(server.root.file("large.bin"), randomBytes(MAX_INLINE_BYTES + 1));
  await using client = await connect({ port: server.port });
  await client.features();
  const plan = await planManyGet(client, {
    patterns: ["small.txt", "large.bin"],
    into: local.path,
  });
  const report = await runBatch(client, plan);
  assertEquals(report.outcomes.map((o) => o.status), ["sent", "sent"]);
  assertEquals(await namesIn(local.path), ["large.bin", "small.txt"]);
  assertEquals(server.events.filter((e) => e.action !== "connect").map((e) => e.action), [
    "feat",
    "fetch",
    "fetch",
    "reget",
  ]);
});

/** A server that agrees `inline` and answers every `fetch` with `answer`, then closes. */
function inlineServer(answer: Uint8Array) {
  return scriptedServer(async (control) => {
    await control.reader.readFrame(4096); // feat
    await control.sendFrame("ok inline");
    await control.reader.readFrame(4096); // fetch
    await control.send(answer);
    control.close();
  });
}

Deno.test("an inline answer whose digest does not match leaves no file", async () => {
  await using local = await tempDir();
  const bytes = encoder.encode(HELLO);
  const corrupt = bytes.slice();
  corrupt[0] ^= 1;
  await using server = inlineServer(
    concat(encodeFrame(`ok sha256 ${sha256(bytes)}`), encodeFrame(corrupt)),
  );
  await using client = await connect({ port: server.port });
  await client.features();
  const outcomes: unknown[] = [];
  await client.fetchMany(
    [{ name: "hello.txt", path: local.file("hello.txt") }],
    (_, o) => outcomes.push(o),
  );
  const [outcome] = outcomes as [{ type: string; error: unknown }];
  assertEquals(outcome.type, "failed");
  await assertRejects(
    () => Promise.reject(outcome.error),
    IntegrityError,
    'Download of "hello.txt" is corrupt',
  );
  assertEquals(await namesIn(local.path), []);
});

Deno.test("an inline answer cut off inside its payload leaves no file and ends the session", async () => {
  await using local = await tempDir();
  const bytes = randomBytes(5000);
  const whole = concat(encodeFrame(`ok sha256 ${sha256(bytes)}`), encodeFrame(bytes));
  await using server = inlineServer(whole.subarray(0, whole.byteLength - 1000));
  await using client = await connect({ port: server.port });
  await client.features();
  await assertRejects(
    () => client.fetchMany([{ name: "f.bin", path: local.file("f.bin") }], () => {}),
    TransferError,
  );
  assertEquals(client.closed, true);
  assertEquals(await namesIn(local.path), []);
});
