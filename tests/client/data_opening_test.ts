/**
 * `openDataFor()` against scripted servers: a passive data connection to the port the
 * server answers with, and one that cannot be opened (the retries end with the
 * session). Active dialects are tested end to end in tests/e2e/dialect_peers_test.ts.
 * `openDataConnection()`: every wait bounded by the timeout and ended at once by the
 * session's signal, whether the port drops connection attempts silently or takes TCP
 * and never answers TLS (the retries of a refused port: data_connect_test.ts).
 */
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { Control } from "../../src/client/control.ts";
import { openDataConnection, openDataFor } from "../../src/client/data_opening.ts";
import { TransferError } from "../../src/common/errors.ts";
import { FERRY_DIALECT } from "../../src/protocol/dialects.ts";
import { formatPort } from "../../src/protocol/replies.ts";
import { tcp } from "../../src/transport/tcp.ts";
import { tlsClient } from "../../src/transport/tls.ts";
import { silentPort } from "../support/helpers.ts";
import { scriptedServer } from "../support/scripted_server.ts";

const text = (bytes: Uint8Array | null) => new TextDecoder().decode(bytes ?? new Uint8Array());

Deno.test("`openDataFor()` sends the command and connects to the port the server answers", async () => {
  let accepted = 0;
  await using server = scriptedServer(async (control, openData) => {
    assertEquals(text(await control.reader.readFrame(100)), "ls");
    const data = openData();
    await control.send(formatPort(data.port));
    await data.accept();
    accepted++;
  });
  const control = new Control(
    await tcp.connect({ hostname: "127.0.0.1", port: server.port }),
    { timeout: 5_000 },
  );
  try {
    const opened = await openDataFor(control, { verb: "ls" }, {
      transport: tcp,
      dialect: FERRY_DIALECT,
      timeout: 5_000,
      signal: new AbortController().signal,
    });
    opened.channel.close();
    assertEquals([opened.ticket, accepted], [undefined, 1]);
    control.endTransfer();
  } finally {
    control.close();
  }
});

Deno.test("`openDataFor()` gives up on a port nobody listens on, not retrying once the session closes", async () => {
  await using server = scriptedServer(async (control) => {
    await control.reader.readFrame(100);
    const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { port } = closed.addr;
    closed.close();
    await control.send(formatPort(port));
    await control.reader.closesWithin(5_000);
  });
  const control = new Control(
    await tcp.connect({ hostname: "127.0.0.1", port: server.port }),
    { timeout: 5_000 },
  );
  const closing = new AbortController();
  closing.abort();
  try {
    await assertRejects(
      () =>
        openDataFor(control, { verb: "ls" }, {
          transport: tcp,
          dialect: FERRY_DIALECT,
          timeout: 5_000,
          signal: closing.signal,
        }),
      TransferError,
      "The connection to the server is closed",
    );
    assertEquals(control.closed, false);
  } finally {
    control.close();
  }
});

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
