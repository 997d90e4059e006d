/**
 * `--dialect` on both subcommands: parsed, refused without `--plain`, shown in
 * `--help`, named in the server's banner, and working end to end with the real
 * program on both sides for every dialect.
 */
import { dialectFlagHelp, parseDialectFlag } from "../../src/cli/dialect_flag.ts";
import { DIALECTS } from "../../src/protocol/dialects.ts";
import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { runFerry, spawnServe } from "../support/ferry_process.ts";
import { tempDir } from "../support/helpers.ts";

Deno.test("`parseDialectFlag()` takes each dialect's name, and needs --plain for all but ferry", () => {
  for (const dialect of Object.values(DIALECTS)) {
    assertEquals(parseDialectFlag(dialect.name, true), dialect);
  }
  assertEquals(parseDialectFlag("ferry", false), DIALECTS.ferry);
  assertEquals(
    parseDialectFlag("active", false),
    "--dialect active speaks the classic protocol, in the clear: add --plain " +
      "(secure mode is ferry-to-ferry TLS and has no dialects)",
  );
  assertEquals(
    parseDialectFlag("passive", true),
    'Unknown dialect "passive": expected ferry, framed, active or active-inline',
  );
});

Deno.test("`dialectFlagHelp()` lists every dialect under the flag, aligned", () => {
  const lines = dialectFlagHelp(20).trimEnd().split("\n");
  assertEquals(lines.length, 1 + Object.keys(DIALECTS).length);
  assertEquals(lines[1], `      ferry          ${DIALECTS.ferry.summary}`);
  // Fits the 100 columns of the rest of the help, even at serve's wider indent.
  const widest = Math.max(...dialectFlagHelp(33).split("\n").map((line) => line.length));
  assertEquals(widest <= 100, true, `widest line: ${widest}`);
});

Deno.test("ferry serve and connect show --dialect in --help and refuse it without --plain", async () => {
  for (const command of ["serve", "connect"]) {
    const help = await runFerry([command, "--help"]);
    for (const name of Object.keys(DIALECTS)) assertStringIncludes(help.stdout, `      ${name} `);
    const refused = await runFerry([command, "--dialect", "framed"]);
    assertEquals([refused.code, refused.stderr.split("\n")[0]], [
      2,
      `ferry ${command}: --dialect framed speaks the classic protocol, in the clear: add --plain ` +
      "(secure mode is ferry-to-ferry TLS and has no dialects)",
    ]);
  }
});

Deno.test("ferry serve and ferry connect speak every dialect to each other", async () => {
  await Promise.all(
    Object.keys(DIALECTS).map(async (name) => {
      await using shared = await tempDir();
      await using work = await tempDir();
      await Deno.writeTextFile(shared.file("a.txt"), "from the server");
      await Deno.writeTextFile(work.file("up.txt"), "from the client");
      const server = await spawnServe(shared.path, ["--plain", "--dialect", name]);
      try {
        // The banner tells the other machine which dialect to speak.
        const told = name === "ferry" ? "" : `--dialect ${name} `;
        const target = `127.0.0.1:${server.port}`;
        const banner = await server.readOutput(`${target}\n`);
        assertStringIncludes(banner, `run: ferry connect --plain ${told}${target}\n`);
        const session = await runFerry(
          ["connect", "--plain", "--dialect", name, "127.0.0.1", String(server.port)],
          { cwd: work.path, stdin: "ls\nget a.txt\nput up.txt\nls\nget nope\n" },
        );
        assertEquals([session.code, session.stdout], [4, "a.txt\na.txt\nup.txt\n"], name);
        const verified = name === "ferry" ? "sha256 verified" : "not verified";
        assertStringIncludes(session.stderr, `get "a.txt": 15 B in `);
        assertStringIncludes(session.stderr, verified);
        assertEquals(await Deno.readTextFile(work.file("a.txt")), "from the server");
        assertEquals(await Deno.readTextFile(shared.file("up.txt")), "from the client");
        const { code, log: serverLog } = await server.stop();
        assertEquals(code, 0);
        assertStringIncludes(serverLog, ' get refused "nope" 0 ');
        assertStringIncludes(serverLog, ' No such file "nope"\n');
      } finally {
        await server.stop();
      }
    }),
  );
});
