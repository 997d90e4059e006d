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
