import { assertEquals, assertRejects, assertStringIncludes } from "../support/assert.ts";
import {
  getCommand,
  mgetCommand,
  mputCommand,
  putCommand,
} from "../../src/cli/transfer_commands.ts";
import { connect } from "../../src/client/connect.ts";
import { BatchError, UsageError } from "../../src/common/errors.ts";
import { namesIn, tempDir, testServer } from "../support/helpers.ts";
import { readTree, writeTree } from "../support/trees.ts";

function terminal() {
  let text = "";
  return {
    write: (t: string) => void (text += t),
    isTerminal: false,
    columns: () => 80,
    get text() {
      return text;
    },
  };
}

Deno.test("get -r and put -r at the prompt move a tree, with one line per file and a summary", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await writeTree(local.file("up", "tree"), { "a.txt": "a", "sub/b.txt": "bb" });
  await Deno.mkdir(local.file("down"));
  await using client = await connect({ port: server.port });
  const stderr = terminal();
  const io = { client, stdout: terminal(), stderr };
  await putCommand(["-r", local.file("up", "tree")], io);
  await getCommand(["-r", "tree", local.file("down")], io);
  assertEquals(
    await readTree(local.file("down", "tree")),
    await readTree(local.file("up", "tree")),
  );
  const lines = stderr.text.trimEnd().split("\n");
  assertEquals(lines.length, 6);
  assertStringIncludes(lines[2], 'put -r "');
  assertStringIncludes(lines[2], '": 2 files transferred');
  assertStringIncludes(lines[5], 'get -r "tree": 2 files transferred');
});

Deno.test("mget and mput take several names and patterns; a pattern get is a batch too", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  for (const name of ["1.txt", "2.txt", "3.log"]) await Deno.writeTextFile(local.file(name), name);
  await using client = await connect({ port: server.port });
  const io = { client, stdout: terminal(), stderr: terminal() };
  await mputCommand([local.file("*.txt"), local.file("3.log")], io);
  assertEquals(await namesIn(server.root.path), ["1.txt", "2.txt", "3.log"]);
  await using down = await tempDir();
  const before = Deno.cwd();
  try {
    Deno.chdir(down.path);
    await mgetCommand(["*.log", "1.txt"], io);
  } finally {
    Deno.chdir(before);
  }
  assertEquals(await namesIn(down.path), ["1.txt", "3.log"]);
});

Deno.test("a batch that misses files fails with how many, after its summary", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.writeTextFile(local.file("x.txt"), "x");
  await Deno.writeTextFile(server.root.file("x.txt"), "other");
  await using client = await connect({ port: server.port });
  const stderr = terminal();
  const io = { client, stdout: terminal(), stderr };
  await assertRejects(
    () => mputCommand([local.file("*.txt")], io),
    BatchError,
    "1 of 1 files were not transferred",
  );
  assertStringIncludes(stderr.text, "not transferred (1):");
  await mputCommand(["-f", local.file("*.txt")], io);
  assertEquals(await Deno.readTextFile(server.root.file("x.txt")), "x");
  await assertRejects(
    () => getCommand(["a", "b", "c"], io),
    UsageError,
    "Usage: get [-r] [-f] NAME [LOCAL]",
  );
});

Deno.test("get NAME - writes to standard output, put - NAME reads standard input", async () => {
  await using server = await testServer();
  await Deno.writeTextFile(server.root.file("a.txt"), "from the server");
  await using client = await connect({ port: server.port });
  let received = "";
  const decoder = new TextDecoder();
  const stdoutBytes = {
    write: (chunk: Uint8Array) => Promise.resolve(void (received += decoder.decode(chunk))),
  };
  const stdin = ReadableStream.from([new TextEncoder().encode("from stdin")]);
  const io = { client, stdout: terminal(), stderr: terminal(), stdoutBytes, stdin };
  await getCommand(["a.txt", "-"], io);
  assertEquals(received, "from the server");
  await putCommand(["-", "b.txt"], io);
  assertEquals(await Deno.readTextFile(server.root.file("b.txt")), "from stdin");
  await assertRejects(() => putCommand(["-"], io), UsageError, "put - NAME (stdin has no name");
  await assertRejects(
    () => getCommand(["-r", "tree", "-"], io),
    UsageError,
    "Only one file at a time can go to standard output",
  );
  const piped = { client, stdout: terminal(), stderr: terminal() }; // Stdin carries commands.
  await assertRejects(() => putCommand(["-", "c.txt"], piped), UsageError, "use -c");
});

Deno.test("~ in a local path is the home folder", async () => {
  await using server = await testServer();
  await using home = await tempDir();
  await Deno.writeTextFile(home.file("up.txt"), "up");
  await Deno.writeTextFile(server.root.file("down.txt"), "down");
  await using client = await connect({ port: server.port });
  const io = { client, stdout: terminal(), stderr: terminal() };
  const before = Deno.env.get("HOME");
  Deno.env.set("HOME", home.path);
  try {
    await putCommand(["~/up.txt"], io);
    await getCommand(["down.txt", "~/"], io);
    await mputCommand(["-f", "~/up.txt"], io);
  } finally {
    if (before === undefined) Deno.env.delete("HOME");
    else Deno.env.set("HOME", before);
  }
  assertEquals(await Deno.readTextFile(server.root.file("up.txt")), "up");
  assertEquals(await Deno.readTextFile(home.file("down.txt")), "down");
});
