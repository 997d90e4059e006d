/**
 * Cancelling a transfer against a real server (the prompt's Ctrl-C): only the data
 * connection closes, nothing of the file is kept on either side, and the session
 * goes on in step with the server.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "../support/assert.ts";
import { connect } from "../../src/client/connect.ts";
import { CancelledError } from "../../src/common/errors.ts";
import { namesIn, randomBytes, sha256, tempDir, testServer } from "../support/helpers.ts";

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

Deno.test("a cancelled get keeps no file and leaves the session usable", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  const bytes = randomBytes(SIZE);
  await Deno.writeFile(server.root.file("big.bin"), bytes);
  await using client = await connect({ port: server.port });
  const error = await assertRejects(
    () => client.get("big.bin", local.file("big.bin"), cancelAfter(1 << 20)),
    CancelledError,
  );
  assertEquals(error.message, 'get "big.bin" cancelled: nothing of it was kept');
  assertEquals(await namesIn(local.path), []); // Neither the file nor its temp file.
  // The same control connection goes on: a listing, then the whole file.
  assertEquals((await client.list()).map((e) => e.name), ["big.bin"]);
  const result = await client.get("big.bin", local.file("big.bin"));
  assertEquals([result.bytes, result.sha256], [SIZE, sha256(bytes)]);
});

Deno.test("a cancelled put stores nothing on the server, and the name stays free", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.writeFile(local.file("big.bin"), randomBytes(SIZE));
  await using client = await connect({ port: server.port });
  await assertRejects(
    () => client.put(local.file("big.bin"), "big.bin", cancelAfter(1 << 20)),
    CancelledError,
  );
  const logged = await server.waitFor((e) => e.action === "put");
  assertStringIncludes(logged.result, "failed: Connection closed after");
  assertEquals(await namesIn(server.root.path), []); // No file, no temp upload.
  assertEquals(await client.list(), []);
  const result = await client.put(local.file("big.bin"), "big.bin");
  assertEquals([result.bytes, result.verified], [SIZE, true]);
});

Deno.test("a transfer whose signal has already aborted sends nothing", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.writeTextFile(server.root.file("a.txt"), "a");
  await using client = await connect({ port: server.port });
  const signal = AbortSignal.abort();
  await assertRejects(() => client.list({ signal }), CancelledError);
  await assertRejects(() => client.get("a.txt", local.file("a.txt"), { signal }), CancelledError);
  assertEquals(server.events.filter((e) => e.action === "ls" || e.action === "get"), []);
  assertEquals((await client.list()).map((e) => e.name), ["a.txt"]);
});
