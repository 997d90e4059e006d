import { assertEquals } from "../support/assert.ts";
import {
  describeError,
  formatAddress,
  hasControlCharacter,
  printable,
  quote,
} from "../../src/common/text.ts";

Deno.test("`printable()` escapes C0, DEL and C1 controls", () => {
  assertEquals(printable("a\x1b[31mb\x7f\u009bc\n"), "a\\u001b[31mb\\u007f\\u009bc\\u000a");
  assertEquals(printable("plain é 名前"), "plain é 名前");
});

Deno.test("`printable()` escapes line separators and bidirectional controls", () => {
  assertEquals(printable("a\u2028b\u202etxt.exe\u2066"), "a\\u2028b\\u202etxt.exe\\u2066");
});

Deno.test("`quote()` escapes quotes and backslashes", () => {
  assertEquals(quote('say "hi"\\'), '"say \\"hi\\"\\\\"');
});

Deno.test("`quote()` cuts long text at `max` characters, counting code points", () => {
  assertEquals(quote("abcdef", 3), '"abc..."');
  assertEquals(quote("📁📁📁", 2), '"📁📁..."');
  assertEquals(quote("abc", 3), '"abc"');
});

Deno.test("`hasControlCharacter()` can be called repeatedly", () => {
  assertEquals(hasControlCharacter("a\tb"), true);
  assertEquals(hasControlCharacter("a\tb"), true);
  assertEquals(hasControlCharacter("ab"), false);
});

Deno.test("`describeError()` drops Deno's OS detail", () => {
  const error = new Error("No such file or directory (os error 2): open '/x'");
  assertEquals(describeError(error), "No such file or directory");
  assertEquals(describeError("plain"), "plain");
});

Deno.test("`describeError()` says node's socket errors as Deno's sockets do", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), {
    code: "ECONNREFUSED",
  });
  assertEquals(describeError(refused), "Connection refused");
  assertEquals(describeError(new Error("read ECONNRESET")), "Connection reset by peer");
  assertEquals(describeError(new Error("connect EHOSTUNREACH ::1:9")), "No route to host");
  // An errno it has no words for keeps node's text rather than losing it.
  assertEquals(describeError(new Error("connect EWHATEVER x")), "connect EWHATEVER x");
});

Deno.test("`formatAddress()` writes host:port, with brackets around an IPv6 host", () => {
  assertEquals(
    [
      formatAddress({ hostname: "::1", port: 2121 }),
      formatAddress({ hostname: "127.0.0.1", port: 2121 }),
      formatAddress({ hostname: "localhost", port: 0 }),
    ],
    ["[::1]:2121", "127.0.0.1:2121", "localhost:0"],
  );
});

Deno.test("`printable()` escapes format and invisible characters, past U+FFFF too", () => {
  assertEquals(printable("report\u200b.pdf"), "report\\u200b.pdf");
  assertEquals(printable("a\u00a0b\u3000c\ufeffd\u00ade"), "a\\u00a0b\\u3000c\\ufeffd\\u00ade");
  assertEquals(printable("x\u{e0041}y\u{e0100}"), "x\\u{e0041}y\\u{e0100}");
  assertEquals(printable("a\ufe0fb\u3164c"), "a\\ufe0fb\\u3164c");
  // Still shown as they are: letters, marks, symbols and the plain space.
  assertEquals(printable("cafe\u0301 naïve 名前 🚢 – x"), "cafe\u0301 naïve 名前 🚢 – x");
});

Deno.test("`hasControlCharacter()` is only about controls: invisible characters may be in names", () => {
  assertEquals(hasControlCharacter("report\u200b.pdf"), false);
  assertEquals(hasControlCharacter("a\u202eb"), true);
});

Deno.test("`describeError()` never passes on Deno's permission texts", () => {
  const denied = (path: string) =>
    new Deno.errors.NotCapable(
      `Requires all access to "${path}", run again with the --allow-all flag`,
    );
  assertEquals(
    describeError(denied("/proc/x")),
    "ferry does not use system paths such as /dev, /proc and /sys",
  );
  assertEquals(
    describeError(denied("/dev/shm/x")),
    "ferry does not use system paths such as /dev, /proc and /sys",
  );
  assertEquals(describeError(denied("/home/x")), "ferry is not permitted to use it");
  assertEquals(
    describeError(
      new Error('Requires net access to "127.0.0.1:80", run again with the --allow-net flag'),
    ),
    "ferry is not permitted to use it",
  );
});

Deno.test("`describeError()` puts the runtime's words for a vanished resource in ferry's", () => {
  assertEquals(describeError(new Deno.errors.Interrupted("operation canceled")), "it was stopped");
  assertEquals(describeError(new Deno.errors.BadResource("Bad resource ID")), "it was closed");
  assertEquals(
    describeError(new TypeError("The stream's underlying resource was closed or consumed")),
    "it was closed",
  );
});
