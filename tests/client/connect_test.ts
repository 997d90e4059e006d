/**
 * `connect()`'s classic-mode probes for strangers (listening first, a short first
 * reply) are classic mode's alone: a secure connect, the default, never waits on them.
 */
import { assertEquals } from "../support/assert.ts";
import { connect } from "../../src/client/connect.ts";
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
