/**
 * Folders as a person meets them at the `ftp>` prompt, through the real program: the
 * first ten minutes of issue 10 (which used to end in refusals), a tree mirrored to
 * a server and back with two commands, `ferry serve FILE`, and `ls -l` on a real
 * terminal.
 */
import { MAIN, PERMISSIONS, runFerry, spawnServe } from "../support/ferry_process.ts";
import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { namesIn, type TempDir, tempDir } from "../support/helpers.ts";
import { AWKWARD_TREE, readTree, writeTree } from "../support/trees.ts";

/** A secure `ferry serve` (the default), and how to run `ferry connect` against it. */
async function secureServe(shared: string, home: TempDir) {
  const server = await spawnServe(shared, [], [], {
    env: { XDG_CONFIG_HOME: home.file("server"), FERRY_TOKEN: "", FERRY_READ_TOKEN: "" },
  });
  const output = await server.readOutput("downloads only");
  const match = /FERRY_TOKEN=(\S+) ferry connect \S+ --fingerprint ([0-9a-f]{64})/.exec(output);
  if (!match) throw new Error(`No connect line in:\n${output}`);
  const [, token, fingerprint] = match;
  return {
    server,
    connect: (cwd: string, stdin: string) =>
      runFerry(["connect", `127.0.0.1:${server.port}`, "--fingerprint", fingerprint], {
        cwd,
        stdin,
        env: { XDG_CONFIG_HOME: home.file("client"), FERRY_TOKEN: token },
      }),
  };
}

Deno.test("the session of issue 10 works, command by command", async () => {
  await using shared = await tempDir();
  await using work = await tempDir();
  await using home = await tempDir();
  await Deno.mkdir(shared.file("photos"));
  await Deno.writeTextFile(shared.file("photos", "a.jpg"), "JPEG A");
  await Deno.writeTextFile(shared.file("photos", "caption.txt"), "sunset");
  await Deno.writeTextFile(shared.file("photos", "list.txt"), "a.jpg");
  await Deno.writeTextFile(shared.file("report.pdf"), "first draft");
  await Deno.writeTextFile(shared.file("notes.txt"), "old notes");
  await Deno.writeFile(shared.file("big.iso"), new Uint8Array(5_000));
  await Deno.writeTextFile(work.file("report.pdf"), "corrected version");
  const { server, connect } = await secureServe(shared.path, home);
  // Each line of the session, with what a person now hears. Piped, a session
  // stops at its first failure, so each line (with the cd it depends on) runs alone.
  const steps: [string, number, string][] = [
    ["ls", 0, ""],
    ["get photos", 2, '"photos" is a folder: get -r photos fetches it and all it holds'],
    ["get photos/a.jpg", 0, 'get "photos/a.jpg": 6 B in '],
    ["cd photos\npwd", 0, ""],
    ["cd photos\nmget *.txt", 0, 'get "*.txt": 2 files transferred'],
    ["put report.pdf", 4, '"report.pdf" already exists on the server; put -f replaces it'],
    ["put -f report.pdf", 0, 'put "report.pdf": 17 B in '],
    ["rm notes.txt", 0, ""],
    ["ls -l", 0, ""],
  ];
  const stdout: string[] = [];
  try {
    for (const [lines, code, heard] of steps) {
      const result = await connect(work.path, lines + "\n");
      assertEquals(result.code, code, `${lines}: ${result.stderr}`);
      assertStringIncludes(result.stderr, heard, lines);
      stdout.push(result.stdout);
    }
  } finally {
    await server.stop();
  }
  assertEquals(stdout.slice(0, 4), [
    "big.iso\nnotes.txt\nphotos/\nreport.pdf\n",
    "",
    "",
    "/photos\n",
  ]);
  assertEquals(
    stdout[8].replace(/ \S+Z /g, " TIME "),
    [
      "file 5000 TIME big.iso",
      "folder - TIME photos/",
      "file 17 TIME report.pdf",
    ].join("\n") + "\n",
  );
  assertEquals(await namesIn(work.path), ["a.jpg", "caption.txt", "list.txt", "report.pdf"]);
  assertEquals(await Deno.readTextFile(work.file("a.jpg")), "JPEG A");
  assertEquals(await Deno.readTextFile(shared.file("report.pdf")), "corrected version");
  assertEquals(await namesIn(shared.path), ["big.iso", "photos", "report.pdf"]);
});

Deno.test("a tree goes to the server and back with two commands, the same byte for byte", async () => {
  await using shared = await tempDir();
  await using work = await tempDir();
  await using home = await tempDir();
  await Deno.mkdir(work.file("mine"));
  await Deno.mkdir(work.file("back"));
  await writeTree(work.file("mine", "tree"), AWKWARD_TREE);
  const { server, connect } = await secureServe(shared.path, home);
  try {
    const up = await connect(work.file("mine"), "put -r tree\n");
    assertEquals(up.code, 0, up.stderr);
    assertStringIncludes(up.stderr, 'put -r "tree": 7 files transferred');
    assertStringIncludes(up.stderr, "all xxh128 verified");
    const down = await connect(work.file("back"), "get -r tree\n");
    assertEquals(down.code, 0, down.stderr);
    assertEquals(
      await readTree(work.file("back", "tree")),
      await readTree(work.file("mine", "tree")),
    );
    const again = await connect(work.file("back"), "get -r tree\n");
    assertStringIncludes(again.stderr, "7 already there (the same by xxh128), skipped");
  } finally {
    await server.stop();
  }
});

Deno.test("a batch that could not do everything lists what was not transferred and fails", async () => {
  await using shared = await tempDir();
  await using work = await tempDir();
  await writeTree(work.file("tree"), { "a.txt": "a", "b.txt": "b" });
  await Deno.symlink("/etc/hostname", work.file("tree", "link"));
  await Deno.mkdir(shared.file("tree"));
  await Deno.writeTextFile(shared.file("tree", "b.txt"), "B");
  const server = await spawnServe(shared.path, ["--plain"]);
  try {
    const result = await runFerry([
      "connect",
      "--plain",
      `127.0.0.1:${server.port}`,
      "-c",
      "put -r tree",
    ], {
      cwd: work.path,
    });
    assertEquals(result.code, 6, result.stderr);
    assertStringIncludes(result.stderr, 'put -r "tree": 1 of 3 files transferred');
    assertStringIncludes(result.stderr, "not transferred (2):\n");
    assertStringIncludes(result.stderr, '  "tree/link": a link here, not followed\n');
    assertStringIncludes(
      result.stderr,
      '  "tree/b.txt": "tree/b.txt" exists on the server and differs; give another name, or -f to replace it\n',
    );
    assertStringIncludes(
      result.stderr,
      "ferry: 2 of 3 files were not transferred (listed above); running the command again skips what arrived\n",
    );
    assertEquals(await Deno.readTextFile(shared.file("tree", "b.txt")), "B");
  } finally {
    await server.stop();
  }
});

Deno.test("ferry serve FILE shares that one file, read-only", async () => {
  await using folder = await tempDir();
  await using work = await tempDir();
  await Deno.writeTextFile(folder.file("send-this.txt"), "for you");
  await Deno.writeTextFile(folder.file("private.txt"), "not for you");
  await Deno.writeTextFile(work.file("up.txt"), "x");
  const server = await spawnServe(folder.file("send-this.txt"), ["--plain"]);
  try {
    assertStringIncludes(
      server.banner,
      `"${await Deno.realPath(folder.file("send-this.txt"))}" (read-only)`,
    );
    const target = `127.0.0.1:${server.port}`;
    const got = await runFerry([
      "connect",
      "--plain",
      target,
      "-c",
      "ls",
      "-c",
      "get send-this.txt",
    ], {
      cwd: work.path,
    });
    assertEquals([got.code, got.stdout], [0, "send-this.txt\n"], got.stderr);
    assertEquals(await Deno.readTextFile(work.file("send-this.txt")), "for you");
    const other = await runFerry(["connect", "--plain", target, "-c", "get private.txt"], {
      cwd: work.path,
    });
    assertEquals([other.code, other.stderr], [
      4,
      'ferry: Server refused: No such file "private.txt"\n',
    ]);
    const put = await runFerry(["connect", "--plain", target, "-c", "put up.txt"], {
      cwd: work.path,
    });
    assertStringIncludes(put.stderr, "read-only");
  } finally {
    await server.stop();
  }
});

Deno.test("ls -l on a terminal shows sizes in units; piped, exact bytes", async () => {
  await using shared = await tempDir();
  // A sparse file: 5 GB of size, next to no disk.
  using big = await Deno.open(shared.file("big.iso"), { write: true, create: true });
  await big.truncate(5_000_000_000);
  await Deno.writeTextFile(shared.file("my notes.txt"), "tiny");
  const server = await spawnServe(shared.path, ["--plain"]);
  try {
    const args = ["connect", "--plain", `127.0.0.1:${server.port}`, "-c", "ls -l"];
    const piped = await runFerry(args);
    assertEquals(
      piped.stdout.replace(/ \S+Z /g, " T "),
      'file 5000000000 T big.iso\nfile 4 T "my notes.txt"\n',
    );
    const terminal = await onTerminal(args);
    assertStringIncludes(terminal, "5.00 GB");
    assertStringIncludes(terminal, "    4 B  ");
    assertStringIncludes(terminal, '"my notes.txt"');
  } finally {
    await server.stop();
  }
});

/** Runs `ferry ARGS` with a real terminal as stdout (`script`), and returns what it showed. */
async function onTerminal(args: string[]): Promise<string> {
  const command = [Deno.execPath(), "run", ...PERMISSIONS, MAIN, ...args]
    .map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(" ");
  const output = await new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    env: { NO_COLOR: "1", COLUMNS: "100" },
    stdin: "null",
  }).output();
  return new TextDecoder().decode(output.stdout).replaceAll("\r", "");
}
