import { assertEquals, assertRejects } from "../support/assert.ts";
import { openDataConnection } from "../../src/client/data_connection.ts";
import { TransferError } from "../../src/common/errors.ts";
import { tcp } from "../../src/transport/tcp.ts";

Deno.test("`openDataConnection()` connects to a listening port", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  using channel = await openDataConnection({
    transport: tcp,
    hostname: "127.0.0.1",
    port: listener.addr.port,
    closed: () => false,
  });
  (await accepted).close();
  assertEquals(channel.remoteAddr.port, listener.addr.port);
});

Deno.test("`openDataConnection()` reports a refused port, not retrying for a closed session", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  await assertRejects(
    () => openDataConnection({ transport: tcp, hostname: "127.0.0.1", port, closed: () => true }),
    TransferError,
    `Cannot open the data connection to port ${port}`,
  );
});
