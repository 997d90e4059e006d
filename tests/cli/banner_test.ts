/**
 * `ferry serve`'s banner as text: which token lines it prints, and under which words,
 * for the tokens made at this start and those given in a file or the environment.
 */
import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { type BannerFacts, formatBanner } from "../../src/cli/banner.ts";

const FINGERPRINT = "ab".repeat(32);
const COMMAND = `ferry connect 127.0.0.1:2121 --fingerprint ${FINGERPRINT}`;

function banner(newTokens: { readWrite?: string; readOnly?: string }, readOnly = false): string[] {
  const facts: BannerFacts = {
    root: "/srv/share",
    listening: { hostname: "127.0.0.1", port: 2121 },
    reachAs: { hostname: "127.0.0.1", port: 2121 },
    readOnly,
    secure: { fingerprint: FINGERPRINT, newTokens },
  };
  return formatBanner(facts).trimEnd().split("\n").slice(2);
}

Deno.test("formatBanner() shows both new tokens, the read-only one as such", () => {
  assertEquals(banner({ readWrite: "rw", readOnly: "ro" }), [
    "ferry: on the other machine, run (tokens are secrets, shown only now):",
    `  FERRY_TOKEN=rw ${COMMAND}`,
    "ferry: or, to allow downloads only:",
    `  FERRY_TOKEN=ro ${COMMAND}`,
  ]);
});

Deno.test("formatBanner() never offers a new read-only token as the one to run with", () => {
  // --token-file gave the read-write token; only the read-only one is new.
  const lines = banner({ readOnly: "ro" });
  assertEquals(lines[0], `ferry: on the other machine, run: ${COMMAND}`);
  assertStringIncludes(lines[1], "with FERRY_TOKEN set to the token; or, to allow downloads only");
  assertEquals(lines[2], `  FERRY_TOKEN=ro ${COMMAND}`);
});

Deno.test("formatBanner() on a read-only server shows its one token plainly", () => {
  assertEquals(banner({ readOnly: "ro" }, true), [
    "ferry: on the other machine, run (the token is a secret, shown only now):",
    `  FERRY_TOKEN=ro ${COMMAND}`,
  ]);
});

Deno.test("formatBanner() with every token given shows none", () => {
  assertEquals(banner({}), [
    `ferry: on the other machine, run: ${COMMAND}`,
    "  with FERRY_TOKEN set to the token",
  ]);
});
