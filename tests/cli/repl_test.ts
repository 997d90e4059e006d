/**
 * The `ftp>` loop in-process against a real server: what a line means (comments,
 * `!`, quoting hints), what a script does on failure, and the names Tab knows.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "../support/assert.ts";
import { RemoteNames } from "../../src/cli/remote_names.ts";
import { runLine, runRepl } from "../../src/cli/repl.ts";
import { connect } from "../../src/client/connect.ts";
import { LocalFileError, RemoteError, UsageError } from "../../src/common/errors.ts";
import { tempDir, testServer } from "../support/helpers.ts";

/** Output that keeps what was written. */
function recorder() {
  const out = { text: "", write: (text: string) => void (out.text += text) };
  return out;
}

async function session() {
  const server = await testServer();
  const client = await connect({ port: server.port });
  const stdout = recorder();
  const stderr = Object.assign(recorder(), { isTerminal: false, columns: () => 80 });
  return {
    server,
    client,
    stdout,
    stderr,
    context: { client, stdout, stderr, names: new RemoteNames(client) },
    async [Symbol.asyncDispose]() {
      await client.quit();
      await server[Symbol.asyncDispose]();
    },
  };
}

Deno.test("runLine() skips blank lines and comments, and refuses !COMMAND where it may not run", async () => {
  await using s = await session();
  assertEquals(await runLine("", s.context), false);
  assertEquals(await runLine("   # get everything", s.context), false);
  await assertRejects(
    () => runLine("!ls", s.context),
    UsageError,
    "!COMMAND runs a local command at the ftp> prompt on a terminal only",
  );
  const ran: string[] = [];
  await runLine("  !echo hi", {
    ...s.context,
    runLocal: (command) => {
      ran.push(command);
      return Promise.resolve();
    },
  });
  assertEquals(ran, ["echo hi"]);
  assertEquals(s.server.events.filter((e) => e.action !== "connect"), []); // Nothing was sent.
});

Deno.test("runLine() hints at quoting when a name with spaces was typed without quotes", async () => {
  await using s = await session();
  await Deno.writeTextFile(s.server.root.file("holiday video.mp4"), "film");
  await using local = await tempDir();
  const context = s.context;
  const missing = await assertRejects(() => runLine("get holiday video.mp4", context), RemoteError);
  assertStringIncludes(
    missing.message,
    'No such file "holiday" (to use a name with spaces, quote it: get "holiday video.mp4")',
  );
  const tooMany = await assertRejects(() => runLine("put my big file.txt", context), UsageError);
  assertStringIncludes(tooMany.message, 'quote it: put "my big file.txt")');
  // Quoted, or escaped, it is one name.
  await runLine(`get holiday\\ video.mp4 ${local.file("a.mp4")}`, context);
  assertEquals(await Deno.readTextFile(local.file("a.mp4")), "film");
});

Deno.test("runLine() gives no quoting hint when what is missing is the destination", async () => {
  await using s = await session();
  await Deno.mkdir(s.server.root.file("photos"));
  await using local = await tempDir();
  const backup = local.file("backup");
  const error = await assertRejects(
    () => runLine(`get -r photos ${backup}`, s.context),
    LocalFileError,
  );
  assertEquals(error.message, `No such local folder "${backup}"`);
});

Deno.test("runLine() says an unknown command with its control characters made visible", async () => {
  await using s = await session();
  await assertRejects(
    () => runLine("\x1b[A", s.context),
    UsageError,
    'Unknown command "\\u001b[A": type help for the list',
  );
});

Deno.test("a put makes the names Tab knows stale; ls makes them fresh", async () => {
  await using s = await session();
  await using local = await tempDir();
  await Deno.writeTextFile(local.file("up.txt"), "up");
  const { names } = s.context;
  assertEquals(await names.entries(), []);
  await runLine(`put ${local.file("up.txt")}`, s.context);
  assertEquals((await names.entries()).map((e) => e.name), ["up.txt"]);
  await Deno.writeTextFile(s.server.root.file("other.txt"), "o");
  await runLine("ls", s.context);
  assertEquals(s.stdout.text, "other.txt\nup.txt\n");
  assertEquals((await names.entries()).map((e) => e.name), ["other.txt", "up.txt"]);
});

Deno.test("mkdir, rename and rm make the names stale too; a subfolder's names are its own", async () => {
  await using s = await session();
  const { names } = s.context;
  const namesOf = async (folder?: string) => (await names.entries(folder)).map((e) => e.name);
  await runLine("mkdir photos", s.context);
  assertEquals(await namesOf(), ["photos"]);
  assertEquals(await namesOf("photos/"), []);
  await Deno.writeTextFile(s.server.root.file("photos", "a.jpg"), "a");
  await runLine("ls photos", s.context); // A listing of photos is what Tab knows of it.
  assertEquals(await namesOf("photos/"), ["a.jpg"]);
  await runLine("rename photos/a.jpg photos/b.jpg", s.context);
  assertEquals(await namesOf("photos"), ["b.jpg"]);
  await runLine("rm photos/b.jpg", s.context);
  assertEquals(await namesOf("photos/"), []);
});

Deno.test("the quoting hint keeps the options as typed", async () => {
  await using s = await session();
  const missing = await assertRejects(
    () => runLine("get -f holiday video.mp4", s.context),
    RemoteError,
  );
  assertStringIncludes(missing.message, 'quote it: get -f "holiday video.mp4")');
});

Deno.test("runRepl() in a script skips comments, stops at the first failure, and gives its code", async () => {
  await using s = await session();
  await Deno.writeTextFile(s.server.root.file("a.txt"), "a");
  const lines = ["# list first", "", "ls", "get missing.txt", "ls"];
  const code = await runRepl(toAsync(lines), { ...s.context, interactive: false });
  assertEquals(code, 4);
  assertEquals(s.stdout.text, "a.txt\n"); // The second ls never ran.
  assertEquals(s.stderr.text, 'ferry: Server refused: No such file "missing.txt"\n');
});

async function* toAsync(lines: string[]): AsyncIterable<string> {
  yield* lines;
}
