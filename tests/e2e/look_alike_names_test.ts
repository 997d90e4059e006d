/**
 * Names that look the same never stand side by side, and invisible characters are
 * shown wherever names are: in `ls`, in messages and in the server's log.
 */
import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { runFerry, spawnServe } from "../support/ferry_process.ts";
import { namesIn, tempDir } from "../support/helpers.ts";

Deno.test("`café` in NFD is refused beside `café` in NFC; `report\\u200b.pdf` is listed escaped", async () => {
  await using shared = await tempDir();
  await using work = await tempDir();
  await Deno.writeTextFile(work.file("a.txt"), "x");
  const server = await spawnServe(shared.path, ["--plain"]);
  const target = `127.0.0.1:${server.port}`;
  const put = (name: string) =>
    runFerry(["connect", "--plain", target, "-c", `put a.txt ${name}`], { cwd: work.path });
  assertEquals((await put("caf\u00e9")).code, 0);
  const nfd = await put("cafe\u0301");
  assertEquals(nfd.code, 4, nfd.stderr);
  assertStringIncludes(nfd.stderr, "which exists on the server: choose another name");
  assertEquals((await put("report.pdf")).code, 0);
  assertEquals((await put("report\u200b.pdf")).code, 0);
  const ls = await runFerry(["connect", "--plain", target, "-c", "ls"], { cwd: work.path });
  assertEquals(ls.stdout, "caf\u00e9\nreport.pdf\nreport\\u200b.pdf\n");
  const { log } = await server.stop();
  assertStringIncludes(log, '"report\\u200b.pdf"');
  assertEquals(log.includes("\u200b"), false, "the log shows the raw invisible character");
  assertEquals((await namesIn(shared.path)).length, 3);
});
