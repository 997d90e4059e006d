/**
 * Telling a stranger from a ferry server in classic mode, within a second or two
 * instead of the whole timeout: something that speaks first (SSH, SMTP, FTP), that
 * answers in another protocol (HTTP), or that says nothing at all to a first command.
 */
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { connect } from "../../src/client/connect.ts";
import { NotFerryError, RemoteError } from "../../src/common/errors.ts";
import { encodeFrame } from "../../src/protocol/field.ts";
import { scriptedServer } from "../support/scripted_server.ts";

const STRANGER = "does not look like a ferry or simple-FTP server";
/** Long enough that a test which waited for it would plainly fail. */
const TIMEOUT_MS = 60_000;

Deno.test("a server that speaks first is told apart while the client listens first", async () => {
  await using server = scriptedServer(async (control) => {
    await control.send("SSH-2.0-OpenSSH_9.6\r\n");
    await control.reader.closesWithin(TIMEOUT_MS);
  });
  const started = performance.now();
  const error = await assertRejects(
    () => connect({ port: server.port, timeout: TIMEOUT_MS, listenFirst: 300 }),
    NotFerryError,
  );
  assertEquals(
    error.message,
    `The server at 127.0.0.1:${server.port} ${STRANGER}: it spoke first, with "SSH-2.0-OpenSSH_9.6"`,
  );
  assert(performance.now() - started < 2_000, "told within a second or two");
});

Deno.test("a greeting that comes after the listening is caught at the first reply", async () => {
  await using server = scriptedServer(async (control) => {
    await control.reader.readFrame(100); // ls: only then the greeting.
    await control.send("220 mail.example ESMTP ready\r\n");
    await control.reader.closesWithin(TIMEOUT_MS);
  });
  await using client = await connect({ port: server.port, timeout: TIMEOUT_MS });
  const error = await assertRejects(() => client.list(), NotFerryError);
  assertEquals(
    error.message,
    `The server at 127.0.0.1:${server.port} ${STRANGER}: it answered "220 mail.example ESMTP ready"`,
  );
  assertEquals(client.closed, true);
});

Deno.test("a server that answers in another protocol is told apart at once", async () => {
  await using server = scriptedServer(async (control) => {
    await control.reader.readFrame(100);
    await control.send("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    control.close();
  });
  await using client = await connect({ port: server.port, timeout: TIMEOUT_MS });
  const error = await assertRejects(() => client.list(), NotFerryError);
  assertEquals(
    error.message,
    `The server at 127.0.0.1:${server.port} ${STRANGER}: it answered "HTTP/1.1 400 Bad Request"`,
  );
});

Deno.test("a server silent at the first command is a stranger after firstReply, not the timeout", async () => {
  await using server = scriptedServer(async (control) => {
    await control.reader.readFrame(100);
    await control.reader.closesWithin(TIMEOUT_MS); // Never answers.
  });
  await using client = await connect({
    port: server.port,
    timeout: TIMEOUT_MS,
    firstReply: 300,
  });
  const error = await assertRejects(() => client.list(), NotFerryError);
  assertEquals(
    error.message,
    `The server at 127.0.0.1:${server.port} ${STRANGER}: it did not answer within 0.3 s`,
  );
});

Deno.test("a ferry server that turns the session away at once is heard, not taken for a stranger", async () => {
  await using server = scriptedServer(async (control) => {
    // A refusal before any command: the server's limit on sessions, say.
    await control.send("0000000000", encodeFrame("Too many sessions from your address"));
    control.close();
  });
  await using client = await connect({ port: server.port, timeout: TIMEOUT_MS, listenFirst: 300 });
  const error = await assertRejects(() => client.list(), RemoteError);
  assertEquals(error instanceof NotFerryError, false);
  assertEquals(error.message, "The server ended the session: Too many sessions from your address");
});

Deno.test("a ferry server's later replies get the whole timeout, not firstReply", async () => {
  await using server = scriptedServer(async (control) => {
    await control.reader.readFrame(100); // ls
    await control.send("0000000000", encodeFrame("No listing today"));
    await control.reader.readFrame(100); // ls again: a slow answer, past firstReply.
    await control.reader.closesWithin(600);
    await control.send("0000000000", encodeFrame("Still no listing"));
    await control.reader.readFrame(100); // quit
  });
  await using client = await connect({ port: server.port, timeout: TIMEOUT_MS, firstReply: 300 });
  await assertRejects(() => client.list(), RemoteError, "No listing today");
  await assertRejects(() => client.list(), RemoteError, "Still no listing");
});
