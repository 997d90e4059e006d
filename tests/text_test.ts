import { assertEquals } from "./assert.ts";
import { describeError, hasControlCharacter, printable, quote } from "../src/text.ts";

Deno.test("printable() escapes C0, DEL and C1 controls", () => {
  assertEquals(printable("a\x1b[31mb\x7f\u009bc\n"), "a\\u001b[31mb\\u007f\\u009bc\\u000a");
  assertEquals(printable("plain é 名前"), "plain é 名前");
});

Deno.test("quote() escapes quotes and backslashes", () => {
  assertEquals(quote('say "hi"\\'), '"say \\"hi\\"\\\\"');
});

Deno.test("hasControlCharacter() can be called repeatedly", () => {
  assertEquals(hasControlCharacter("a\tb"), true);
  assertEquals(hasControlCharacter("a\tb"), true);
  assertEquals(hasControlCharacter("ab"), false);
});

Deno.test("describeError() drops Deno's OS detail", () => {
  const error = new Error("No such file or directory (os error 2): open '/x'");
  assertEquals(describeError(error), "No such file or directory");
  assertEquals(describeError("plain"), "plain");
});
