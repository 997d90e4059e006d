/**
 * `ferry connect --digest`, through the real program: an unknown digest is a usage
 * error, and each digest named is the one the transfer line says verified it.
 */
import { runFerry, spawnServe } from "../support/ferry_process.ts";
import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { tempDir } from "../support/helpers.ts";

Deno.test("`ferry connect --digest` names the digest that verified each transfer", async () => {
  await using shared = await tempDir();
  await using work = await tempDir();
  await Deno.writeTextFile(shared.file("f.txt"), "verified");
  const server = await spawnServe(shared.path, ["--plain"]);
  try {
    const target = `127.0.0.1:${server.port}`;
    for (const [flags, heard] of [[[], "sha256"], [["--digest", "xxh128"], "xxh128"]] as const) {
      await Deno.remove(work.file("f.txt")).catch(() => {});
      const run = await runFerry(["connect", "--plain", target, ...flags, "-c", "get f.txt"], {
        cwd: work.path,
      });
      assertEquals(run.code, 0, run.stderr);
      assertStringIncludes(run.stderr, `, ${heard} verified`);
    }
  } finally {
    await server.stop();
  }
});

Deno.test("`ferry connect --digest md5` is a usage error that lists the digests", async () => {
  const run = await runFerry(["connect", "--plain", "--digest", "md5"]);
  assertEquals(run.code, 2);
  assertStringIncludes(run.stderr, 'Unknown digest "md5": expected xxh128 or sha256');
});
