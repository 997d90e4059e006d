/**
 * `openDataFor()` against scripted servers: a passive data connection to the port the
 * server answers with, and one that cannot be opened (the retries end with the
 * session). Active dialects are tested end to end in tests/e2e/dialect_peers_test.ts.
 */
import { assertEquals, assertRejects } from "../support/assert.ts";
import { Control } from "../../src/client/control.ts";
import { openDataFor } from "../../src/client/data_opening.ts";
import { TransferError } from "../../src/common/errors.ts";
import { FERRY_DIALECT } from "../../src/protocol/dialects.ts";
import { formatPort } from "../../src/protocol/replies.ts";
import { tcp } from "../../src/transport/tcp.ts";
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
    5_000,
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

Deno.test("`openDataFor()` reports a port nobody listens on, not retrying once the session closes", async () => {
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
    5_000,
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
      "Cannot open the data connection to port",
    );
    assertEquals(control.closed, false);
  } finally {
    control.close();
  }
});
