/** What `--help` promises: every exit code `connect` can end with, from the one table. */
import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import * as codes from "../../src/cli/exit_codes.ts";
import { CONNECT_HELP } from "../../src/cli/help.ts";
import { CancelledError } from "../../src/common/errors.ts";

Deno.test("connect --help lists every exit code connect can end with, 130 included", () => {
  const listed = codes.CONNECT_EXIT_CODES.map(([code]) => code);
  // Every code defined, but serve's own (CANNOT_LISTEN shares 3 with CANNOT_CONNECT).
  const defined = Object.entries(codes)
    .filter(([name, value]) => typeof value === "number" && name !== "CANNOT_LISTEN")
    .map(([, value]) => value as number);
  assertEquals(
    [...new Set(listed)].sort((a, b) => a - b),
    [...new Set(defined)].sort((a, b) => a - b),
  );
  assertEquals(listed.length, new Set(listed).size); // Each once.
  for (const [code, meaning] of codes.CONNECT_EXIT_CODES) {
    assertStringIncludes(CONNECT_HELP, `  ${String(code).padEnd(4)} ${meaning}\n`);
  }
  assertStringIncludes(CONNECT_HELP, "  130  interrupted");
});

Deno.test("exitCodeFor() gives a cancelled transfer the interrupted code", () => {
  assertEquals(codes.exitCodeFor(new CancelledError("get cancelled")), codes.INTERRUPTED);
});
