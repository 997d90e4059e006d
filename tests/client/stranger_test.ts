/** Telling a stranger at the server's address by its first bytes, and saying so. */
import { assertEquals } from "../support/assert.ts";
import { FirstBytes } from "../../src/client/stranger.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const REMOTE = { hostname: "127.0.0.1", port: 22 };

Deno.test("`FirstBytes` takes a greeting in another protocol for a stranger, a field for ferry", () => {
  const ssh = new FirstBytes();
  ssh.keep(bytes("SSH-2.0-OpenSSH_9.6\r\n"));
  assertEquals(ssh.foreign, true);
  const ferry = new FirstBytes();
  ferry.keep(bytes("0000"));
  assertEquals(ferry.foreign, false);
  assertEquals(new FirstBytes().foreign, false); // Nothing yet: nothing to judge.
  ssh.clear();
  assertEquals(ssh.foreign, false);
});

Deno.test("`FirstBytes.stranger()` quotes the first line, cut to what a message holds", () => {
  const first = new FirstBytes();
  first.keep(bytes("SSH-2.0-"));
  first.keep(bytes(`${"x".repeat(100)}\r\nmore`));
  const error = first.stranger(REMOTE, "it spoke first, with", { quoteStart: true });
  assertEquals(error.name, "NotFerryError");
  assertEquals(
    error.message,
    "The server at 127.0.0.1:22 does not look like a ferry or simple-FTP server: it spoke first, " +
      `with "SSH-2.0-${"x".repeat(52)}"`,
  );
  const silent = first.stranger(REMOTE, "it did not answer within 3 s", { quoteStart: false });
  assertEquals(
    silent.message,
    "The server at 127.0.0.1:22 does not look like a ferry or simple-FTP server: it did not " +
      "answer within 3 s",
  );
});
