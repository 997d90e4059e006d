import { assertEquals, assertRejects } from "../support/assert.ts";
import {
  cdCommand,
  changeCommand,
  lcdCommand,
  llsCommand,
  lpwdCommand,
  lsCommand,
  pwdCommand,
  renameCommand,
} from "../../src/cli/folder_commands.ts";
import { connect } from "../../src/client/connect.ts";
import type { Client } from "../../src/client/client.ts";
import { LocalFileError, UsageError } from "../../src/common/errors.ts";
import { namesIn, tempDir, testServer } from "../support/helpers.ts";

function capture(isTerminal = false) {
  let text = "";
  return {
    write: (t: string) => void (text += t),
    isTerminal,
    get text() {
      return text;
    },
  };
}

Deno.test("ls, cd, pwd, mkdir, rename, rm and rmdir at the prompt", async () => {
  await using server = await testServer();
  await Deno.writeTextFile(server.root.file("a b.txt"), "12345");
  await using client = await connect({ port: server.port });
  const stdout = capture();
  const io = { client, stdout };
  await changeCommand("mkdir")(["docs", "docs/inner"], io);
  await renameCommand(["a b.txt", "docs/"], io);
  await cdCommand(["docs"], io);
  await pwdCommand([], io);
  await lsCommand([], io);
  await lsCommand(["-l", "/"], io);
  assertEquals(
    stdout.text.replace(/ \S+Z /g, " T "),
    '/docs\n"a b.txt"\ninner/\nfolder - T docs/\n',
  );
  await changeCommand("rm")(["a b.txt"], io);
  await changeCommand("rmdir")(["inner"], io);
  await cdCommand([], io);
  assertEquals(await namesIn(server.root.file("docs")), []);
  await assertRejects(
    () => renameCommand(["only-one"], io),
    UsageError,
    "Usage: rename [-f] FROM TO",
  );
  await assertRejects(() => lsCommand(["a", "b"], io), UsageError, "Usage: ls");
});

Deno.test("lcd, lpwd and lls act on this side", async () => {
  await using local = await tempDir();
  await Deno.writeTextFile(local.file("x.txt"), "x");
  await Deno.mkdir(local.file("sub"));
  const before = Deno.cwd();
  const stdout = capture();
  // The local commands never touch the session.
  const io = { client: undefined as unknown as Client, stdout };
  try {
    await lcdCommand([local.path], io);
    await lpwdCommand([], io);
    await llsCommand([], io);
    await llsCommand(["--json"], io);
  } finally {
    Deno.chdir(before);
  }
  const real = await Deno.realPath(local.path);
  const [changed, printed, ...rest] = stdout.text.split("\n");
  assertEquals([changed, printed], [`Local folder: ${real}`, real]);
  assertEquals(rest.slice(0, 2), ["sub/", "x.txt"]);
  assertEquals(JSON.parse(rest.slice(2).join("\n")).map((e: { name: string }) => e.name), [
    "sub",
    "x.txt",
  ]);
  await assertRejects(
    () => lcdCommand([local.file("nope")], io),
    LocalFileError,
    "Cannot change to the local folder",
  );
});
