/**
 * The session under every client: features asked once and only when needed, and one
 * command's data connection, which the caller can cancel.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "../support/assert.ts";
import { connect } from "../../src/client/connect.ts";
import { CancelledError, UnsupportedError } from "../../src/common/errors.ts";
import { DIALECTS } from "../../src/protocol/dialects.ts";
import { namesIn, randomBytes, sha256, tempDir, testServer } from "../support/helpers.ts";

Deno.test("a session asks for features once, and only when something needs one", async () => {
  await using server = await testServer();
  await using client = await connect({ port: server.port });
  assertEquals(client.agreed, undefined, "nothing asked yet");
  await client.require("path");
  await client.require("hash");
  assertEquals(
    client.agreed?.toString(),
    "path list-long manage hash frames digest=xxh128 inline resume",
  );
  assertEquals(server.events.filter((e) => e.action === "feat").length, 1);
});

Deno.test("a missing extension is named with what it is for, where ferry knows", async () => {
  await using server = await testServer({ features: [] });
  await using client = await connect({ port: server.port });
  const known = await assertRejects(() => client.require("manage"), UnsupportedError);
  assertEquals(
    known.message,
    `The server at 127.0.0.1:${server.port} does not support changing files and folders (the "manage" extension)`,
  );
  const unknown = await assertRejects(() => client.require("teleport"), UnsupportedError);
  assertEquals(
    unknown.message,
    `The server at 127.0.0.1:${server.port} does not support "teleport"`,
  );
});

// Cancelling a transfer (the prompt's Ctrl-C): only the data connection closes,
// nothing of the file is kept on either side, and the session goes on in step with
// the server. Passive and active dialects alike: the data connection is one path.

const SIZE = 16 << 20;

/** Aborts once `bytes` have moved; the progress callback that does it. */
function cancelAfter(bytes: number) {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    onProgress: (moved: number) => {
      if (moved >= bytes) controller.abort();
    },
  };
}

const names = (listing: Iterable<{ name: string }>) => [...listing].map((e) => e.name);

for (const dialect of [DIALECTS.ferry, DIALECTS.active]) {
  Deno.test(`a cancelled get keeps no file and leaves the session usable (${dialect.name})`, async () => {
    await using server = await testServer({ dialect });
    await using local = await tempDir();
    const bytes = randomBytes(SIZE);
    await Deno.writeFile(server.root.file("big.bin"), bytes);
    await using client = await connect({ port: server.port, dialect });
    const error = await assertRejects(
      () => client.get("big.bin", local.file("big.bin"), cancelAfter(1 << 20)),
      CancelledError,
    );
    assertEquals(error.message, 'get "big.bin" cancelled: nothing of it was kept');
    assertEquals(await namesIn(local.path), []); // Neither the file nor its temp file.
    // The same control connection goes on: a listing, then the whole file.
    assertEquals(names(await client.list()), ["big.bin"]);
    const result = await client.get("big.bin", local.file("big.bin"));
    assertEquals([result.bytes, result.hex], [SIZE, sha256(bytes)]);
  });

  Deno.test(`a cancelled put stores nothing on the server, and the name stays free (${dialect.name})`, async () => {
    await using server = await testServer({ dialect });
    await using local = await tempDir();
    await Deno.writeFile(local.file("big.bin"), randomBytes(SIZE));
    await using client = await connect({ port: server.port, dialect });
    await assertRejects(
      () => client.put(local.file("big.bin"), "big.bin", cancelAfter(1 << 20)),
      CancelledError,
    );
    const logged = await server.waitFor((e) => e.action === "put");
    assertStringIncludes(logged.result, "failed");
    assertEquals(await namesIn(server.root.path), []); // No file, no temp upload.
    assertEquals(names(await client.list()), []);
    const result = await client.put(local.file("big.bin"), "big.bin");
    assertEquals([result.bytes, result.verified], [SIZE, dialect.vouches]);
  });
}

Deno.test("a transfer whose signal has already aborted sends nothing", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.writeTextFile(server.root.file("a.txt"), "a");
  await using client = await connect({ port: server.port });
  const signal = AbortSignal.abort();
  await assertRejects(() => client.list(undefined, { signal }), CancelledError);
  await assertRejects(() => client.get("a.txt", local.file("a.txt"), { signal }), CancelledError);
  assertEquals(server.events.filter((e) => e.action === "ls" || e.action === "get"), []);
  assertEquals(names(await client.list()), ["a.txt"]);
});
