/**
 * `openDataConnection()`: every wait bounded by the timeout and ended at once by the
 * session's signal, whether the port drops connection attempts silently, refuses them
 * (a server that sends its port before it listens), or takes TCP and never answers TLS.
 */
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { openDataConnection } from "../../src/client/data_connection.ts";
import { TransferError } from "../../src/common/errors.ts";
import { tcp } from "../../src/transport/tcp.ts";
import { tlsClient } from "../../src/transport/tls.ts";
import { silentPort } from "../support/helpers.ts";

const never = new AbortController().signal;

Deno.test("`openDataConnection()` to a port that drops connection attempts gives up at the timeout", async () => {
  using silent = await silentPort();
  const started = performance.now();
  await assertRejects(
    () =>
      openDataConnection(silent.port, {
        transport: tcp,
        hostname: "127.0.0.1",
        timeout: 300,
        signal: never,
      }),
    TransferError,
    `Cannot open the data connection to port ${silent.port}: no answer within 0.3 s`,
  );
  const waited = performance.now() - started;
  assert(waited < 5_000, `gave up after ${waited.toFixed(0)} ms`);
});

Deno.test("`openDataConnection()` ends at once when its signal aborts (Ctrl-C), however long the timeout", async () => {
  using silent = await silentPort();
  const closing = new AbortController();
  const opening = openDataConnection(silent.port, {
    transport: tcp,
    hostname: "127.0.0.1",
    timeout: 600_000,
    signal: closing.signal,
  });
  const started = performance.now();
  closing.abort();
  await assertRejects(() => opening, TransferError, "The connection to the server is closed");
  assert(performance.now() - started < 5_000);
});

Deno.test("`openDataConnection()` to a port that takes TCP but never answers TLS gives up at the timeout", async () => {
  // A listener that never accepts: the kernel completes the TCP handshake, nobody speaks.
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  await assertRejects(
    () =>
      openDataConnection(listener.addr.port, {
        transport: tlsClient(() => {}),
        hostname: "127.0.0.1",
        timeout: 300,
        signal: never,
      }),
    TransferError,
    "no answer within 0.3 s",
  );
});

Deno.test("`openDataConnection()` tries a refused port again until it listens", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close(); // Refused now: the server has sent the port before listening on it.
  const opening = openDataConnection(port, {
    transport: tcp,
    hostname: "127.0.0.1",
    timeout: 10_000,
    signal: never,
  });
  using listener = Deno.listen({ hostname: "127.0.0.1", port });
  const [channel, accepted] = await Promise.all([opening, listener.accept()]);
  assertEquals(channel.remoteAddr.port, port);
  channel.close();
  accepted.close();
});
