/**
 * Secure mode as a person meets it: `ferry serve` with no flags makes an identity,
 * prints it and the exact command for the other machine, and `ferry connect` run from
 * that line works, remembers the server, and refuses what it should.
 */
import { runFerry, spawnServe } from "../support/ferry_process.ts";
import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { tempDir } from "../support/helpers.ts";

/** The token and fingerprint in a secure banner's connect line. */
function connectLine(output: string): { token: string; fingerprint: string } {
  const match = /FERRY_TOKEN=(\S+) ferry connect \S+ --fingerprint ([0-9a-f]{64})/.exec(output);
  if (!match) throw new Error(`No connect line in:\n${output}`);
  return { token: match[1], fingerprint: match[2] };
}

Deno.test("ferry serve starts encrypted, and its printed line connects from elsewhere", async () => {
  await using shared = await tempDir();
  await using serverHome = await tempDir();
  await using clientHome = await tempDir();
  await Deno.writeTextFile(shared.file("hello.txt"), "hi");
  const server = await spawnServe(shared.path, [], [], {
    env: { XDG_CONFIG_HOME: serverHome.path, FERRY_TOKEN: "", FERRY_READ_TOKEN: "" },
  });
  try {
    const output = await server.readOutput("downloads only");
    assertStringIncludes(output, "ferry: encrypted; server identity sha256:");
    assertStringIncludes(
      output,
      `created this identity in ${serverHome.file("ferry", "identity.pem")}`,
    );
    const identity = await Deno.stat(serverHome.file("ferry", "identity.pem"));
    assertEquals((identity.mode ?? 0) & 0o777, 0o600);
    const { token, fingerprint } = connectLine(output);
    const target = `127.0.0.1:${server.port}`;
    const env = { XDG_CONFIG_HOME: clientHome.path, FERRY_TOKEN: token };
    const first = await runFerry(["connect", target, "--fingerprint", fingerprint, "-c", "ls"], {
      env,
    });
    assertEquals([first.code, first.stdout], [0, "hello.txt\n"], first.stderr);
    assertStringIncludes(first.stderr, `remembered ${target}`);
    const known = await Deno.readTextFile(clientHome.file("ferry", "known_hosts"));
    assertStringIncludes(known, `${target} sha256:${fingerprint}`);
    const again = await runFerry(["connect", target, "-c", "ls"], { env });
    assertEquals([again.code, again.stdout], [0, "hello.txt\n"], again.stderr);
  } finally {
    await server.stop();
  }
});

Deno.test("a script without a token, or with a wrong one, is told so in one line", async () => {
  await using shared = await tempDir();
  await using home = await tempDir();
  const server = await spawnServe(shared.path, [], [], {
    env: { XDG_CONFIG_HOME: home.path, FERRY_TOKEN: "right-token", FERRY_READ_TOKEN: "ro-token" },
  });
  try {
    const output = await server.readOutput("FERRY_TOKEN set to the token");
    const fingerprint = /--fingerprint ([0-9a-f]{64})/.exec(output)![1];
    const args = ["connect", `127.0.0.1:${server.port}`, "--fingerprint", fingerprint, "-c", "ls"];
    const env = { XDG_CONFIG_HOME: home.path, FERRY_TOKEN: "" };
    const none = await runFerry(args, { env });
    assertEquals(none.code, 2, none.stderr);
    assertStringIncludes(none.stderr, "This server needs a token: set FERRY_TOKEN");
    const wrong = await runFerry(args, { env: { ...env, FERRY_TOKEN: "wrong" } });
    assertEquals([wrong.code, wrong.stderr], [
      4,
      "ferry: Server refused: Wrong token: check it and try again\n",
    ]);
    assertEquals(
      output.includes("right-token"),
      false,
      "tokens from the environment are not printed",
    );
  } finally {
    await server.stop();
  }
});

Deno.test("an unknown server is refused in a script, with the fingerprint to check", async () => {
  await using shared = await tempDir();
  await using home = await tempDir();
  await using clientHome = await tempDir();
  const server = await spawnServe(shared.path, [], [], { env: { XDG_CONFIG_HOME: home.path } });
  try {
    const result = await runFerry(["connect", `127.0.0.1:${server.port}`, "-c", "ls"], {
      env: { XDG_CONFIG_HOME: clientHome.path, FERRY_TOKEN: "x" },
    });
    assertEquals(result.code, 7, result.stderr);
    assertStringIncludes(result.stderr, "is not known yet; its identity is sha256:");
    assertStringIncludes(result.stderr, "run again with --fingerprint");
  } finally {
    await server.stop();
  }
});

Deno.test("ferry serve --plain warns that anyone who can reach it can read and write", async () => {
  await using shared = await tempDir();
  const server = await spawnServe(shared.path, ["--plain"]);
  try {
    const output = await server.readOutput("ferry connect --plain");
    assertStringIncludes(
      output,
      "no encryption and no token, so anyone who can reach this port can read and write this folder",
    );
    assertStringIncludes(output, `ferry connect --plain 127.0.0.1:${server.port}`);
  } finally {
    await server.stop();
  }
});

Deno.test("ferry serve refuses an identity file other users can read", async () => {
  await using shared = await tempDir();
  await using home = await tempDir();
  const first = await spawnServe(shared.path, ["--identity", home.file("id.pem")]);
  await first.stop();
  await Deno.chmod(home.file("id.pem"), 0o644);
  const result = await runFerry([
    "serve",
    shared.path,
    "--identity",
    home.file("id.pem"),
    "--port",
    "0",
  ]);
  assertEquals(result.code, 2, result.stderr);
  assertStringIncludes(
    result.stderr,
    `can be read by other users: run "chmod 600 ${home.file("id.pem")}"`,
  );
});
