/**
 * `ferry connect` never waits past `--timeout`, stops at once on Ctrl-C whatever it is
 * waiting for, and leaves no temp file behind, not even from a run that was killed.
 */
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { downloadTempPath } from "../../src/client/local_files.ts";
import { MAIN, PERMISSIONS, runFerry, spawnChild } from "../support/ferry_process.ts";
import { namesIn, silentPort, tempDir, testServer } from "../support/helpers.ts";
import { portServer } from "../support/scripted_server.ts";

Deno.test("`connect --timeout 1` gives up on a data connection that is silently dropped, leaving nothing", async () => {
  await using work = await tempDir();
  using silent = await silentPort();
  await using server = portServer(silent.port);
  const started = performance.now();
  const result = await runFerry(
    ["connect", "--plain", `127.0.0.1:${server.port}`, "--timeout", "1", "-c", "get x"],
    { cwd: work.path },
  );
  const seconds = (performance.now() - started) / 1000;
  assertEquals(result.code, 5, result.stderr);
  assertEquals(
    result.stderr,
    `ferry: Cannot open the data connection to port ${silent.port}: no answer within 1 s\n`,
  );
  assert(seconds < 20, `took ${seconds.toFixed(1)} s`);
  assertEquals(await namesIn(work.path), []);
});

Deno.test("Ctrl-C while a data connection hangs stops `connect` at once, leaving nothing", async () => {
  await using work = await tempDir();
  using silent = await silentPort();
  await using server = portServer(silent.port);
  using watcher = Deno.watchFs(work.path);
  const client = await spawnChild(Deno.execPath(), [
    "run",
    ...PERMISSIONS,
    MAIN,
    "connect",
    "--plain",
    `127.0.0.1:${server.port}`,
    "-c",
    "get x",
  ], { cwd: work.path, banner: false });
  for await (const event of watcher) {
    if (event.kind === "create") break; // The temp file exists: the data connection is next.
  }
  const started = performance.now();
  const { code, log } = await client.stop("SIGINT");
  assertEquals([code, log], [130, "\nferry: Interrupted\n"]);
  assert(performance.now() - started < 5_000);
  assertEquals(await namesIn(work.path), []);
});

Deno.test("a download's temp file left by a killed run is removed by the next get there", async () => {
  await using server = await testServer();
  await using work = await tempDir();
  await Deno.writeTextFile(server.root.file("f.txt"), "whole");
  const leftover = downloadTempPath(work.file("f.txt"));
  await Deno.writeTextFile(leftover, "the first half of a download");
  const killedAt = new Date(Date.now() - 60_000);
  await Deno.utime(leftover, killedAt, killedAt); // Killed a minute ago.
  const result = await runFerry([
    "connect",
    "--plain",
    `127.0.0.1:${server.port}`,
    "-c",
    "get f.txt",
  ], {
    cwd: work.path,
  });
  assertEquals(result.code, 0, result.stderr);
  assertStringIncludes(result.stderr, "sha256 verified");
  assertEquals(await namesIn(work.path), ["f.txt"]);
});
