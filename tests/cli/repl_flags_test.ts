import { assertEquals, assertThrows } from "../support/assert.ts";
import { UsageError } from "../../src/common/errors.ts";
import { parseFlags } from "../../src/cli/repl_flags.ts";

const SPEC = { recursive: ["-r", "--recursive"], replace: ["-f", "--replace"] };

Deno.test("`parseFlags()` takes options anywhere and leaves the other words in order", () => {
  const { flags, words } = parseFlags(["-r", "photos", "--replace", "here"], {
    command: "get",
    flags: SPEC,
  });
  assertEquals([[...flags].sort(), words], [["recursive", "replace"], ["photos", "here"]]);
});

Deno.test("`parseFlags()` combines short options and stops at --", () => {
  assertEquals([...parseFlags(["-rf", "x"], { command: "get", flags: SPEC }).flags].sort(), [
    "recursive",
    "replace",
  ]);
  assertEquals(parseFlags(["--", "-odd", "-r"], { command: "rm", flags: SPEC }).words, [
    "-odd",
    "-r",
  ]);
  assertEquals(parseFlags(["-"], { command: "rm", flags: SPEC }).words, ["-"]);
});

Deno.test("`parseFlags()` refuses an option the command does not take, saying which it does", () => {
  assertThrows(
    () => parseFlags(["-x", "a"], { command: "get", flags: SPEC }),
    UsageError,
    'Unknown option "-x" for get: expected -r, --recursive, -f, --replace',
  );
  assertThrows(
    () => parseFlags(["-l"], { command: "pwd", flags: {} }),
    UsageError,
    'Unknown option "-l" for pwd',
  );
});
