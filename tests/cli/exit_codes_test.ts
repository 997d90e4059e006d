/**
 * Exit codes: which error means which, and `--verify`, which lets a script tell a
 * transfer the server vouched for from one it did not (a base server sends no
 * checksum), against a scripted base server and the real program, one file or many.
 */
import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { UnverifiedError } from "../../src/common/errors.ts";
import { exitCodeFor, NOT_VERIFIED, TRANSFER_FAILED } from "../../src/cli/exit_codes.ts";
import { IntegrityError } from "../../src/common/errors.ts";
import { encodeField, encodeFrame } from "../../src/protocol/field.ts";
import { runFerry, spawnServe } from "../support/ferry_process.ts";
import { namesIn, tempDir } from "../support/helpers.ts";
import { scriptedServer } from "../support/scripted_server.ts";

Deno.test("`exitCodeFor()` gives an unverified transfer 8 and a corrupt one 5", () => {
  assertEquals(exitCodeFor(new UnverifiedError("not verified")), NOT_VERIFIED);
  assertEquals(NOT_VERIFIED, 8);
  assertEquals(exitCodeFor(new IntegrityError("corrupt")), TRANSFER_FAILED);
});

/** A base server that answers one `get` with the file and no trailer, then waits for quit. */
function baseServer(verb: "get" | "put") {
  return scriptedServer(async (control, openData) => {
    await control.reader.readFrame(4096);
    const data = openData();
    await control.send(encodeField(data.port));
    const conn = await data.accept();
    if (verb === "get") await conn.send(encodeFrame("unvouched\n"));
    else while ((await conn.reader.readChunk(65536)) !== null) { /* take the upload */ }
    conn.close(); // No trailer, no status: all a base server does.
    await control.reader.readFrame(4096).catch(() => null);
  });
}

for (const verb of ["get", "put"] as const) {
  Deno.test(`\`connect --verify\`: an unverified ${verb} exits 8; without it, 0 and "not verified"`, async () => {
    await using work = await tempDir();
    await Deno.writeTextFile(work.file("up.txt"), "up");
    const command = verb === "get" ? "get f.txt" : "put up.txt";
    for (const verify of [true, false]) {
      await using server = baseServer(verb);
      const flags = verify ? ["--verify"] : [];
      const result = await runFerry(
        ["connect", "--plain", `127.0.0.1:${server.port}`, ...flags, "-c", command],
        { cwd: work.path },
      );
      if (verify) {
        assertEquals(result.code, 8, result.stderr);
        assertStringIncludes(result.stderr, "not verified");
        assertStringIncludes(result.stderr, "verification is required");
      } else {
        assertEquals(result.code, 0, result.stderr);
        assertStringIncludes(result.stderr, "not verified: the server sent no checksum");
      }
      // A download that could not be verified is not kept when verification is required.
      const expected = verb === "get" && !verify ? ["f.txt", "up.txt"] : ["up.txt"];
      assertEquals(await namesIn(work.path), expected);
      if (verb === "get" && !verify) await Deno.remove(work.file("f.txt"));
    }
  });
}

Deno.test("`connect --verify`: a recursive get from a dialect without checksums exits 8, keeping no file", async () => {
  await using shared = await tempDir();
  await using work = await tempDir();
  await Deno.mkdir(shared.file("docs"));
  await Deno.writeTextFile(shared.file("docs/a.txt"), "a");
  await Deno.writeTextFile(shared.file("docs/b.txt"), "b");
  const server = await spawnServe(shared.path, ["--plain", "--dialect", "framed"]);
  try {
    const target = `127.0.0.1:${server.port}`;
    const run = (flags: string[]) =>
      runFerry(
        ["connect", "--plain", "--dialect", "framed", target, ...flags, "-c", "get -r docs"],
        {
          cwd: work.path,
        },
      );
    const verified = await run(["--verify"]);
    assertEquals(verified.code, 8, verified.stderr);
    assertStringIncludes(verified.stderr, "verification is required");
    assertEquals(await namesIn(work.file("docs")), [], "no file that was not vouched for");
    const unverified = await run([]);
    assertEquals(unverified.code, 0, unverified.stderr);
    assertEquals(await namesIn(work.file("docs")), ["a.txt", "b.txt"]);
  } finally {
    await server.stop();
  }
});
