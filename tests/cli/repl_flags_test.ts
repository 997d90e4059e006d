import { assertEquals, assertThrows } from "../support/assert.ts";
import { UsageError } from "../../src/common/errors.ts";
import { parseFlags } from "../../src/cli/repl_flags.ts";

const SPEC = { recursive: ["-r", "--recursive"], replace: ["-f", "--replace"] };

Deno.test("`parseFlags()` takes options anywhere and leaves the other words in order", () => {
  const { flags, words } = parseFlags("get", ["-r", "photos", "--replace", "here"], SPEC);
  assertEquals([[...flags].sort(), words], [["recursive", "replace"], ["photos", "here"]]);
});

Deno.test("`parseFlags()` combines short options and stops at --", () => {
  assertEquals([...parseFlags("get", ["-rf", "x"], SPEC).flags].sort(), ["recursive", "replace"]);
  assertEquals(parseFlags("rm", ["--", "-odd", "-r"], SPEC).words, ["-odd", "-r"]);
  assertEquals(parseFlags("rm", ["-"], SPEC).words, ["-"]);
});

Deno.test("`parseFlags()` refuses an option the command does not take, saying which it does", () => {
  assertThrows(
    () => parseFlags("get", ["-x", "a"], SPEC),
    UsageError,
    'Unknown option "-x" for get: expected -r, --recursive, -f, --replace',
  );
  assertThrows(() => parseFlags("pwd", ["-l"], {}), UsageError, 'Unknown option "-l" for pwd');
});
