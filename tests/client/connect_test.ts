/**
 * `connect()`'s classic-mode probes for strangers (listening first, a short first
 * reply) are classic mode's alone: a secure connect, the default, never waits on them.
 * What a secure connect says when TLS is not what answered.
 */
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { tlsClient } from "../../src/transport/tls.ts";
import { connect } from "../../src/client/connect.ts";
import { ConnectError, NotFerryError } from "../../src/common/errors.ts";
import { testServer } from "../support/helpers.ts";
import { secureServer, testIdentity, TOKENS } from "../support/secure.ts";

/** Far longer than any connect takes: a connect that waited it out would plainly fail. */
const PROBE_MS = 60_000;

Deno.test("a secure connect does not listen first, whatever listenFirst asks", async () => {
  await using server = await secureServer();
  const { fingerprint } = await testIdentity();
  const connecting = connect({
    port: server.port,
    listenFirst: PROBE_MS,
    firstReply: 1, // Would take the server for a stranger, if it applied.
    secure: {
      checkIdentity: (seen) => {
        if (seen !== fingerprint) throw new Error(`unexpected identity ${seen}`);
      },
      token: TOKENS.readWrite,
    },
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    connecting.then(() => "connected"),
    new Promise((resolve) => timer = setTimeout(() => resolve("still waiting"), PROBE_MS / 6)),
  ]).finally(() => clearTimeout(timer));
  await using client = await connecting;
  assertEquals(outcome, "connected");
  assertEquals([...await client.list()], []);
});

/** A secure connect to `port` that trusts whatever identity it is shown. */
function trustingConnect(port: number) {
  return connect({ port, secure: { checkIdentity: () => {}, token: TOKENS.readWrite } });
}

Deno.test("a secure connect to an HTTP server says it is no ferry server, quoting its answer", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("hello"),
  );
  const port = server.addr.port;
  await assertRejects(
    () => trustingConnect(port),
    NotFerryError,
    `The server at 127.0.0.1:${port} does not look like a ferry or simple-FTP server: ` +
      `it answered TLS with "HTTP/1.1 400 Bad Request"`,
  );
});

Deno.test("a secure connect to a classic ferry server says to use --plain", async () => {
  await using server = await testServer();
  const error = await assertRejects(() => trustingConnect(server.port), ConnectError);
  assertEquals(
    [error.name, error.message],
    [
      "ConnectError",
      `Cannot connect to 127.0.0.1:${server.port}: it does not speak TLS, so it is probably a ` +
      "classic server: connect with --plain if you trust the network",
    ],
  );
});

Deno.test("a secure connect to a listener that takes the connection and says nothing gives up soon", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held = listener.accept(); // Taken, and never answered, until the test ends.
  const port = listener.addr.port;
  const transport = tlsClient(() => {}, { handshakeMs: 200 });
  const started = performance.now();
  await assertRejects(
    () =>
      connect({ port, transport, secure: { checkIdentity: () => {}, token: TOKENS.readWrite } }),
    NotFerryError,
    `The server at 127.0.0.1:${port} does not look like a ferry server in secure mode: ` +
      `it took the connection but did not answer TLS within 0.2 s`,
  );
  // The handshake's limit, not the connect timeout of two minutes, ended the wait.
  assert(performance.now() - started < 60_000);
  (await held).close();
});
