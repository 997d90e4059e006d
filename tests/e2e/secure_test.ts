/**
 * Secure mode end to end over real loopback TLS: pinned identities, tokens, read-only
 * tokens, tickets on data connections, and what a classic peer on the wrong side hears.
 */
import { connect } from "../../src/client/connect.ts";
import { KnownHosts } from "../../src/client/known_hosts.ts";
import { ConnectError, ProtocolError, RemoteError, TrustError } from "../../src/common/errors.ts";
import { encodeFrame } from "../../src/protocol/field.ts";
import { tlsClient } from "../../src/transport/tls.ts";
import { trustDecision } from "../../src/cli/trust.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStartsWith,
  assertStringIncludes,
} from "../support/assert.ts";
import { namesIn, tempDir, testServer } from "../support/helpers.ts";
import { Peer } from "../support/peer.ts";
import { secureClient, secureServer, testIdentity, TOKENS } from "../support/secure.ts";

Deno.test("a secure session lists, gets and puts over TLS, every byte verified", async () => {
  await using server = await secureServer();
  await using local = await tempDir();
  await Deno.writeTextFile(server.root.file("a.txt"), "over tls");
  await Deno.writeTextFile(local.file("up.txt"), "uploaded over tls");
  await using client = await secureClient(server.port);
  assertEquals([...await client.list()], [{ name: "a.txt", isDirectory: false }]);
  const got = await client.get("a.txt", local.file("a.txt"));
  const put = await client.put(local.file("up.txt"));
  assertEquals([got.verified, put.verified], [true, true]);
  assertEquals(await Deno.readTextFile(server.root.file("up.txt")), "uploaded over tls");
  const auth = server.events.find((e) => e.action === "auth")!;
  assertEquals(auth.result, "ok: read-write");
  assertEquals(JSON.stringify(server.events).includes(TOKENS.readWrite), false, "never logged");
});

Deno.test("a wrong token is refused, and the next wrong one from that address waits", async () => {
  await using server = await secureServer();
  await assertRejects(() => secureClient(server.port, "guess-1"), RemoteError, "Wrong token");
  const started = performance.now();
  await assertRejects(() => secureClient(server.port, "guess-2"), RemoteError, "Wrong token");
  const waited = performance.now() - started;
  assert(waited >= 450, `the second wrong token was answered after ${waited.toFixed(0)} ms`);
  await using client = await secureClient(server.port);
  assertEquals([...await client.list()], []);
});

Deno.test("a read-only token reads and cannot write", async () => {
  await using server = await secureServer();
  await using local = await tempDir();
  await Deno.writeTextFile(server.root.file("f"), "x");
  await Deno.writeTextFile(local.file("up"), "y");
  await using client = await secureClient(server.port, TOKENS.readOnly);
  await client.get("f", local.file("f"));
  await assertRejects(() => client.put(local.file("up")), RemoteError, "for reading only");
  assertEquals(await namesIn(server.root.path), ["f"]);
});

Deno.test("commands before a token are refused, without saying whether a file exists", async () => {
  await using server = await secureServer();
  await Deno.writeTextFile(server.root.file("secret.txt"), "x");
  const transport = tlsClient(() => {});
  using raw = new Peer(await transport.connect({ hostname: "127.0.0.1", port: server.port }));
  await raw.sendFrame("feat auth tickets");
  assertEquals(new TextDecoder().decode((await raw.reader.readFrame(4096))!), "ok auth tickets");
  for (const command of ["get secret.txt", "get nope.txt", "ls"]) {
    await raw.sendFrame(command);
    assertEquals((await raw.reader.readField()) !== null, true);
    const message = new TextDecoder().decode((await raw.reader.readFrame(4096))!);
    assertEquals(message, "This server needs a token: authenticate first", command);
  }
});

Deno.test("a data connection without the session's ticket gets nothing", async () => {
  await using server = await secureServer();
  await Deno.writeTextFile(server.root.file("secret.txt"), "for the session only");
  const transport = tlsClient(() => {});
  using control = new Peer(await transport.connect({ hostname: "127.0.0.1", port: server.port }));
  await control.sendFrame("feat auth tickets");
  await control.reader.readFrame(4096);
  await control.sendFrame(`auth ${TOKENS.readWrite}`);
  await control.reader.readFrame(4096);
  await control.sendFrame("get secret.txt");
  const port = Number(new TextDecoder().decode((await control.reader.readField())!));
  const ticket = new TextDecoder().decode((await control.reader.readFrame(64))!);
  // Another process on the client's machine races for the port with a guess.
  using intruder = new Peer(await transport.connect({ hostname: "127.0.0.1", port }));
  await intruder.sendFrame("0".repeat(32));
  assertEquals(await intruder.reader.readChunk(100), null, "closed without a byte");
  await server.waitFor((e) => e.action === "intruder");
  using data = new Peer(await transport.connect({ hostname: "127.0.0.1", port }));
  await data.sendFrame(ticket);
  const payload = await data.reader.readFrame(100);
  assertEquals(new TextDecoder().decode(payload!), "for the session only");
});

Deno.test("a classic client reaching a secure server hears which flag fixes it", async () => {
  await using server = await secureServer();
  await using client = await connect({ port: server.port });
  await assertRejects(() => client.list(), ProtocolError, "connect without --plain");
  const event = await server.waitFor((e) => e.action === "disconnect");
  assertStringIncludes(event.result, "a classic client needs a server started with --plain");
});

Deno.test("a secure client reaching a classic server hears which flag fixes it", async () => {
  await using server = await testServer();
  const error = await assertRejects(() => secureClient(server.port), ConnectError);
  assertStringIncludes(error.message, "connect with --plain");
  const event = await server.waitFor((e) => e.action === "protocol-error");
  assertStringIncludes(event.result, "run the client with --plain");
});

Deno.test("trust: a new server is refused in a script, with the fingerprint to check", async () => {
  await using server = await secureServer();
  await using home = await tempDir();
  const { fingerprint } = await testIdentity();
  const address = `127.0.0.1:${server.port}`;
  const knownHosts = new KnownHosts(home.file("known_hosts"));
  const error = await assertRejects(
    () =>
      connect({
        port: server.port,
        secure: { checkIdentity: trustDecision({ address, knownHosts }), token: TOKENS.readWrite },
      }),
    TrustError,
    "is not known yet",
  );
  assertStringIncludes(error.message, `--fingerprint ${fingerprint}`);
  assertEquals(server.events.some((e) => e.action === "auth"), false, "no token was sent");
});

Deno.test("trust: --fingerprint is remembered, then a changed identity is a hard error", async () => {
  await using server = await secureServer();
  await using home = await tempDir();
  const { fingerprint } = await testIdentity();
  const address = `127.0.0.1:${server.port}`;
  const knownHosts = new KnownHosts(home.file("known_hosts"));
  const open = (given?: string) =>
    connect({
      port: server.port,
      secure: {
        checkIdentity: trustDecision({ address, knownHosts, given }),
        token: TOKENS.readWrite,
      },
    });
  (await open(fingerprint)).close();
  assertEquals(await knownHosts.lookup(address), fingerprint);
  (await open()).close(); // Known now: no flag needed.
  await knownHosts.remember(address, "ab".repeat(32)); // As if the server's identity changed.
  const error = await assertRejects(() => open(), TrustError, "has a new identity");
  assertStringIncludes(error.message, "Someone may be intercepting the connection");
  const wrong = await assertRejects(() => open("cd".repeat(32)), TrustError, "not the");
  assertStartsWith(wrong.message, `The server at ${address} has identity sha256:${fingerprint}`);
});

Deno.test("trust: on a terminal, a new server is shown and trusted only on yes", async () => {
  await using server = await secureServer();
  await using home = await tempDir();
  const address = `127.0.0.1:${server.port}`;
  const knownHosts = new KnownHosts(home.file("known_hosts"));
  const questions: string[] = [];
  const asking = (answer: boolean) =>
    connect({
      port: server.port,
      secure: {
        checkIdentity: trustDecision({
          address,
          knownHosts,
          ask: (question) => {
            questions.push(question);
            return Promise.resolve(answer);
          },
        }),
        token: TOKENS.readWrite,
      },
    });
  await assertRejects(() => asking(false), TrustError, "Not trusted");
  assertEquals(await knownHosts.lookup(address), undefined);
  (await asking(true)).close();
  assertEquals(await knownHosts.lookup(address), (await testIdentity()).fingerprint);
  assertStringIncludes(questions[0], "Compare it with what the server printed");
});

Deno.test("a data connection is sent nothing before its ticket is checked", async () => {
  await using server = await secureServer();
  const transport = tlsClient(() => {});
  using control = new Peer(await transport.connect({ hostname: "127.0.0.1", port: server.port }));
  await control.sendFrame("feat auth tickets");
  await control.reader.readFrame(4096);
  await control.sendFrame(`auth ${TOKENS.readWrite}`);
  await control.reader.readFrame(4096);
  await control.sendFrame("ls");
  const port = Number(new TextDecoder().decode((await control.reader.readField())!));
  await control.reader.readFrame(64);
  using silent = new Peer(await transport.connect({ hostname: "127.0.0.1", port }));
  await silent.send(encodeFrame("")); // An empty ticket is a wrong one.
  assertEquals(await silent.reader.readChunk(10), null);
});
