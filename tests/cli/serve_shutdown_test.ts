/**
 * `ferry serve` stopping: the first Ctrl-C (or SIGTERM) stops accepting and lets
 * commands under way finish within `--grace`; a second ends them at once. Either way
 * an upload cut short leaves nothing and the log is ferry's own words.
 */
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { encodeField } from "../../src/protocol/field.ts";
import { runFerry, spawnServe } from "../support/ferry_process.ts";
import { namesIn, RawClient, sha256File, tempDir } from "../support/helpers.ts";
import type { ServeProcess } from "../support/ferry_process.ts";
import { sha256 } from "../support/helpers.ts";

/** Reads the server's log until it holds `text`; returns all of it so far. */
async function logUntil(server: ServeProcess, text: string): Promise<string> {
  let log = "";
  for (let piece; !log.includes(text) && (piece = await server.readLog()) !== "";) log += piece;
  return log;
}

/** Starts an upload of `size` bytes on `server`, sends `first` of them, and waits for them. */
async function startUpload(server: ServeProcess, size: number, first: Uint8Array) {
  const control = await RawClient.connect(server.port);
  await control.command("put slow.bin");
  const { port } = await control.reply() as { port: number };
  const data = await RawClient.connect(port);
  await data.send(encodeField(size), first);
  return { control, data };
}

Deno.test("Ctrl-C lets an upload under way finish within --grace, then `serve` exits 0", async () => {
  await using dir = await tempDir();
  const server = await spawnServe(dir.path, ["--plain", "--grace", "60"]);
  const file = new Uint8Array(200_000).fill(7);
  const { control, data } = await startUpload(server, file.byteLength, file.subarray(0, 1000));
  let log = await logUntil(server, " connect ok ");
  Deno.kill(server.pid, "SIGINT");
  log += await logUntil(server, " shutdown ok ");
  // No new sessions now (the OS may still take the connection; nobody serves it)...
  const newcomer = await RawClient.connect(server.port).catch(() => undefined);
  if (newcomer) {
    assertEquals(await newcomer.closedByServer(), true, "a new session was served in shutdown");
    newcomer.close();
  }
  // ...but the upload goes on and is stored whole.
  await data.send(file.subarray(1000));
  await data.channel.closeWrite();
  const status = new TextDecoder().decode((await data.reader.readFrame(4096)) ?? new Uint8Array());
  assertStringIncludes(status, "ok sha256", log);
  data.close();
  control.close();
  // With its last session over, the server stops by itself.
  log += await logUntil(server, " stop ok ");
  assertEquals((await server.status).code, 0, log);
  assertEquals(await sha256File(dir.file("slow.bin")), sha256(file));
  assertStringIncludes(log, "commands under way may finish within 60 s");
  assertStringIncludes(log, ' put ok "slow.bin" 200000 ');
});

Deno.test("a second Ctrl-C ends an upload under way at once: nothing is left, no runtime words", async () => {
  await using dir = await tempDir();
  const server = await spawnServe(dir.path, ["--plain", "--grace", "600"]);
  const { control, data } = await startUpload(server, 10_000_000, new Uint8Array(100_000));
  await logUntil(server, " connect ok ");
  Deno.kill(server.pid, "SIGINT");
  await logUntil(server, " shutdown ok ");
  const started = performance.now();
  const { code, log } = await server.stop("SIGINT");
  assert(performance.now() - started < 10_000, "the second Ctrl-C did not end it at once");
  data.close();
  control.close();
  assertEquals(code, 0);
  assertStringIncludes(log, ' put failed "slow.bin" ');
  assertStringIncludes(log, "The server shut down during the command");
  assert(!/operation canceled|underlying resource|Bad resource/i.test(log), log);
  assertEquals(await namesIn(dir.path), []);
});

Deno.test("`serve --grace` and `--log-format` refuse values they cannot use", async () => {
  const grace = await runFerry(["serve", "--grace", "soon"]);
  assertEquals([grace.code, grace.stderr.split("\n")[0]], [
    2,
    'ferry serve: --grace "soon" is not a number of seconds',
  ]);
  const format = await runFerry(["serve", "--log-format", "xml"]);
  assertEquals(format.code, 2);
  assertStringIncludes(format.stderr, '--log-format "xml" is not one of text, json');
});
