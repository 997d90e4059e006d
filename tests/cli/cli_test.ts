/** The real program, run as a subprocess, the way a person or a script runs it. */
import { assertEquals, assertStartsWith, assertStringIncludes } from "../support/assert.ts";
import { MAIN, PERMISSIONS, runFerry, spawnServe } from "../support/ferry_process.ts";
import {
  HAS_IPV6_LOOPBACK,
  namesIn,
  randomBytes,
  sha256,
  sha256File,
  tempDir,
} from "../support/helpers.ts";

const ferry = runFerry;

Deno.test("ferry --help and --version answer for the program and each subcommand", async () => {
  const help = await ferry(["--help"]);
  assertEquals(help.code, 0);
  assertStringIncludes(help.stdout, "ferry serve [DIR | FILE]");
  const serveHelp = await ferry(["serve", "--help"]);
  assertEquals(serveHelp.code, 0);
  assertStringIncludes(serveHelp.stdout, "--read-only");
  const connectHelp = await ferry(["connect", "--help"]);
  assertEquals(connectHelp.code, 0);
  assertStringIncludes(connectHelp.stdout, "Exit codes:");
  for (const args of [["--version"], ["serve", "--version"], ["connect", "-V"]]) {
    const version = await ferry(args);
    assertEquals(
      [version.code, /^ferry \d+\.\d+\.\d+\n$/.test(version.stdout)],
      [0, true],
      args.join(" "),
    );
  }
});

Deno.test("ferry with bad usage exits 2 with a one-line reason", async () => {
  const none = await ferry([]);
  assertEquals(none.code, 2);
  const unknown = await ferry(["frobnicate"]);
  assertEquals(unknown.code, 2);
  assertStartsWith(unknown.stderr, 'ferry: Unknown command "frobnicate"');
  const option = await ferry(["serve", "--bogus"]);
  assertEquals([option.code, option.stderr], [
    2,
    "ferry serve: Unknown option '--bogus'\nTry \"ferry serve --help\".\n",
  ]);
  const port = await ferry(["serve", "--port", "70000"]);
  assertEquals(port.code, 2);
  assertStringIncludes(port.stderr, 'Port "70000" is not a number from 0 to 65535');
  const target = await ferry(["connect", "localhost:http"]);
  assertEquals(target.code, 2);
  assertStringIncludes(target.stderr, 'Port "http"');
});

Deno.test("ferry serve refuses a folder that does not exist", async () => {
  await using dir = await tempDir();
  const result = await ferry(["serve", dir.file("missing"), "--port", "0"]);
  assertEquals(result.code, 2);
  assertStringIncludes(result.stderr, "Cannot serve folder");
});

Deno.test("ferry serve says so when the port is taken", async () => {
  await using dir = await tempDir();
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const result = await ferry([
    "serve",
    dir.path,
    "--host",
    "127.0.0.1",
    "--port",
    String(listener.addr.port),
  ]);
  assertEquals(result.code, 3);
  assertStringIncludes(result.stderr, "the port is in use (try --port 0 for a free one)");
});

Deno.test("ferry connect says it cannot connect, and exits 3", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const result = await ferry(["connect", "--plain", `127.0.0.1:${port}`, "-c", "ls"]);
  assertEquals(result.code, 3);
  assertEquals(result.stderr, `ferry: Cannot connect to 127.0.0.1:${port}: Connection refused\n`);
});

Deno.test("a secure connect to a closed port says so in ferry's words, not node's", async () => {
  await using home = await tempDir();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const result = await ferry(
    ["connect", `127.0.0.1:${port}`, "--fingerprint", "ab".repeat(32), "-c", "ls"],
    { env: { XDG_CONFIG_HOME: home.path, FERRY_TOKEN: "t" } },
  );
  assertEquals(result.code, 3);
  assertEquals(result.stderr, `ferry: Cannot connect to 127.0.0.1:${port}: Connection refused\n`);
});

Deno.test("a scripted session lists, uploads, downloads and quits", async () => {
  await using shared = await tempDir();
  await using work = await tempDir();
  const data = randomBytes(300_000);
  await Deno.writeFile(work.file("photo one.jpg"), data);
  await Deno.writeTextFile(shared.file("readme.txt"), "hi");
  const server = await spawnServe(shared.path, ["--plain"]);
  assertStartsWith(
    server.banner,
    `ferry: serving "${await Deno.realPath(shared.path)}" on 127.0.0.1:`,
  );

  const session = await ferry(["connect", "--plain", "127.0.0.1", String(server.port)], {
    cwd: work.path,
    stdin: 'ls\nput "photo one.jpg"\nls\nget readme.txt\nget "photo one.jpg" copy.jpg\nquit\n',
  });
  assertEquals(session.stdout, 'readme.txt\n"photo one.jpg"\nreadme.txt\n');
  const summaries = session.stderr.trim().split("\n");
  assertEquals(summaries.length, 3);
  assertStartsWith(summaries[0], 'put "photo one.jpg": 300.0 KB in ');
  assertEquals(summaries.every((line) => line.endsWith(", sha256 verified")), true);
  assertEquals(session.code, 0);
  assertEquals(await sha256File(work.file("copy.jpg")), sha256(data));
  assertEquals(await Deno.readTextFile(work.file("readme.txt")), "hi");

  const { code, log } = await server.stop();
  assertEquals(code, 0);
  assertStringIncludes(log, ' put ok "photo\\u0020one.jpg" 300000 ');
  assertEquals(log.trimEnd().endsWith(" - stop ok - - - stopped"), true, log);
});

Deno.test("a script stops at the first failure and exits with its code", async () => {
  await using shared = await tempDir();
  await using work = await tempDir();
  await Deno.writeTextFile(shared.file("there"), "x");
  await Deno.writeTextFile(work.file("there"), "mine");
  const server = await spawnServe(shared.path, ["--plain", "--read-only"]);
  const cases: [string[], number, string][] = [
    [["-c", "get missing", "-c", "ls"], 4, 'ferry: Server refused: No such file "missing"\n'],
    [
      ["-c", "put there"],
      4,
      "ferry: Server refused: This server is read-only: uploads are refused\n",
    ],
    [
      ["-c", "get there"],
      6,
      'ferry: "there" already exists here; give another name, or -f to replace it\n',
    ],
    [["-c", "put nothing-here"], 6, 'ferry: No such local file "nothing-here"\n'],
    [
      ["-c", "get ../../etc/passwd"],
      2,
      'ferry: Path "../../etc/passwd" leads out of the shared folder\n',
    ],
    [["-c", "fly away"], 2, 'ferry: Unknown command "fly": type help for the list\n'],
    [["-c", "get"], 2, "ferry: Usage: get [-r] [-f] NAME [LOCAL]\n"],
    [["-c", 'get "unterminated'], 2, 'ferry: Unterminated " quote in: get "unterminated\n'],
  ];
  for (const [args, code, stderr] of cases) {
    const result = await ferry(["connect", "--plain", `127.0.0.1:${server.port}`, ...args], {
      cwd: work.path,
    });
    assertEquals([result.code, result.stderr, result.stdout], [code, stderr, ""], args.join(" "));
  }
  assertEquals(await Deno.readTextFile(work.file("there")), "mine");
  assertEquals(await namesIn(work.path), ["there"]);
  await server.stop();
});

Deno.test("piped commands accept the aliases other clients use", async () => {
  await using shared = await tempDir();
  await using work = await tempDir();
  await Deno.writeTextFile(work.file("up.txt"), "up");
  const server = await spawnServe(shared.path, ["--plain"]);
  const result = await ferry(["connect", "--plain", `127.0.0.1:${server.port}`], {
    cwd: work.path,
    stdin: "upload up.txt\r\ndir\ndownload up.txt back.txt\nbye\nls\n",
  });
  assertEquals([result.code, result.stdout], [0, "up.txt\n"]);
  assertEquals(await Deno.readTextFile(work.file("back.txt")), "up");
  await server.stop();
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`${signal} during a scripted download ends it, leaves nothing, and exits 130`, () =>
    interruptedDownload(signal));
}

/** A `-c` download under way, sent `signal` (Ctrl-C is SIGINT): what a script sees. */
async function interruptedDownload(signal: Deno.Signal): Promise<void> {
  await using work = await tempDir();
  // A server that starts a download and then stalls, so the client is mid-transfer.
  const control = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const data = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open: Deno.Conn[] = [];
  const stalled = (async () => {
    const conn = await control.accept();
    open.push(conn);
    await conn.read(new Uint8Array(100));
    await conn.write(new TextEncoder().encode(String(data.addr.port).padStart(10, "0")));
    const dataConn = await data.accept();
    open.push(dataConn);
    await dataConn.write(new TextEncoder().encode("0001000000partial bytes"));
  })();
  using watcher = Deno.watchFs(work.path);
  const client = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...PERMISSIONS,
      MAIN,
      "connect",
      "--plain",
      `127.0.0.1:${control.addr.port}`,
      "-c",
      "get big",
    ],
    cwd: work.path,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await stalled; // The client has the first bytes: the transfer is under way...
  for await (const event of watcher) {
    if (event.kind === "create") break; // ...into its temp file.
  }
  client.kill(signal);
  const { code, stderr } = await client.output();
  for (const resource of [control, data, ...open]) resource.close();
  assertEquals(code, 130);
  assertEquals(new TextDecoder().decode(stderr), "\nferry: Interrupted\n");
  assertEquals(await namesIn(work.path), []);
}

Deno.test("ferry serve gives up the permission to run programs it was given", async () => {
  await using shared = await tempDir();
  await using scripts = await tempDir();
  const url = (path: string) => new URL(`../../src/cli/${path}`, import.meta.url).href;
  const state = `Deno.permissions.querySync({ name: "run" }).state`;
  // serve() itself, with ferry's permissions and the real io, asked once it is serving.
  await Deno.writeTextFile(
    scripts.file("serve.ts"),
    `
    import { serve } from ${JSON.stringify(url("serve.ts"))};
    import { defaultIo } from ${JSON.stringify(url("io.ts"))};
    const io = defaultIo();
    const write = io.stdout.write;
    write("before: " + ${state} + "\\n");
    io.stdout.write = (text) => {
      write(text);
      if (!text.includes("on the other machine")) return;
      write("serving: " + ${state} + "\\n");
      Deno.exit(0);
    };
    await serve([${
      JSON.stringify(shared.path)
    }, "--plain", "--host", "127.0.0.1", "--port", "0"], io);
  `,
  );
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, scripts.file("serve.ts")],
    stdin: "null",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
  assertStartsWith(stdout, "before: granted\n");
  assertStringIncludes(stdout, "\nserving: prompt\n"); // Revoked: no longer granted.
});

Deno.test("ferry's permissions read the same in the tests, the tasks, the release build and README", async () => {
  const root = new URL("../../", import.meta.url);
  const read = (path: string) => Deno.readTextFile(new URL(path, root));
  const flags = (text: string) =>
    [...text.matchAll(/--allow-[a-z]+(=[a-zA-Z,]+)?/g)].map((m) => m[0]);
  const tasks = JSON.parse(await read("deno.json")).tasks;
  const compile = /const PERMISSIONS = \[([^\]]*)\]/.exec(await read(".ci/compile.ts"))![1];
  const install = /deno install [^`]*?main\.ts/s.exec(await read("README.md"))![0];
  const expected = [...PERMISSIONS].sort();
  assertEquals(flags(tasks.connect).sort(), expected, "deno task connect");
  assertEquals(flags(compile).sort(), expected, ".ci/compile.ts");
  assertEquals(flags(install).sort(), expected, "README's deno install");
  // serve never runs a program: its task does not ask for the permission.
  assertEquals(flags(tasks.serve).sort(), expected.filter((flag) => flag !== "--allow-run"));
});

Deno.test({
  name: "connect localhost reaches a server on either family, and IPv6 addresses are bracketed",
  ignore: !HAS_IPV6_LOOPBACK,
  async fn() {
    await using shared = await tempDir();
    await Deno.writeTextFile(shared.file("a.txt"), "a");
    for (const host of ["::1", "127.0.0.1"]) {
      const server = await spawnServe(shared.path, ["--plain", "--host", host]);
      try {
        const shown = host.includes(":") ? `[${host}]` : host;
        assertStringIncludes(server.banner, ` on ${shown}:`);
        const port = /:(\d+)\n$/.exec(server.banner)![1];
        const listed = await ferry(["connect", "--plain", `localhost:${port}`, "-c", "ls"]);
        assertEquals([listed.code, listed.stdout], [0, "a.txt\n"], listed.stderr);
      } finally {
        await server.stop();
      }
    }
    const listener = Deno.listen({ hostname: "::1", port: 0 });
    const { port } = listener.addr;
    listener.close();
    const refused = await ferry(["connect", "--plain", `[::1]:${port}`, "-c", "ls"]);
    assertEquals(refused.code, 3);
    assertEquals(refused.stderr, `ferry: Cannot connect to [::1]:${port}: Connection refused\n`);
  },
});
