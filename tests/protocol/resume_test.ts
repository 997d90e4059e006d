import { assertEquals } from "../support/assert.ts";
import {
  formatKept,
  formatRegetArguments,
  formatReputArguments,
  formatVersion,
  parseKept,
  parseRegetArguments,
  parseReputArguments,
} from "../../src/protocol/resume.ts";

const HEX = "ab".repeat(32);

Deno.test("`parseRegetArguments()` reads offset, version, digest and a name with spaces", () => {
  assertEquals(parseRegetArguments(`1048576 3000000-17 ${HEX} my file.bin`), {
    offset: 1048576,
    version: "3000000-17",
    digest: HEX,
    name: "my file.bin",
  });
  assertEquals(parseRegetArguments("0 - - a"), { offset: 0, name: "a" });
  assertEquals(formatRegetArguments({ offset: 0, name: "a" }), "0 - - a");
  assertEquals(
    formatRegetArguments({ offset: 5, version: "v", digest: HEX, name: "a b" }),
    `5 v ${HEX} a b`,
  );
});

Deno.test("`parseRegetArguments()` refuses what is not offset, version, digest, name, saying why", () => {
  const cases: [string | undefined, string][] = [
    [undefined, "Command reget needs an offset, a version, a digest and a file name"],
    ["0 - -", "Command reget needs an offset, a version, a digest and a file name"],
    ["01 - - a", 'Command reget needs a byte offset, not "01"'],
    ["-1 - - a", 'Command reget needs a byte offset, not "-1"'],
    ["0 V! - a", 'Command reget needs a file version, not "V!"'],
    ["5 v xyz a", 'Command reget needs a hex digest, not "xyz"'],
    ["5 v - a", "Command reget needs a digest exactly when its offset is above 0"],
    [`0 - ${HEX} a`, "Command reget needs a digest exactly when its offset is above 0"],
  ];
  for (const [text, reason] of cases) assertEquals(parseRegetArguments(text), reason, text);
});

Deno.test("`parseReputArguments()` reads a 32-hex-digit key and a name, and refuses others", () => {
  const key = "0f".repeat(16);
  assertEquals(parseReputArguments(`${key} a b.txt`), { key, name: "a b.txt" });
  assertEquals(formatReputArguments({ key, name: "a b.txt" }), `${key} a b.txt`);
  assertEquals(
    parseReputArguments("short a"),
    'Command reput needs a key of 32 lowercase hex digits, not "short"',
  );
  assertEquals(parseReputArguments(key), "Command reput needs a key and a file name");
});

Deno.test("`formatKept()` and `parseKept()` agree, and a digest comes exactly with bytes held", () => {
  for (const kept of [{ bytes: 0 }, { bytes: 1048576, digest: HEX }]) {
    assertEquals(parseKept(formatKept(kept)), kept);
  }
  for (const text of ["from", "from 01", `from 0 ${HEX}`, "from 5", "to 0", `from 5 ${HEX} x`]) {
    assertEquals(parseKept(text), undefined, text);
  }
});

Deno.test("`formatVersion()` is the size and the modification time in whole milliseconds", () => {
  assertEquals(formatVersion(3000000, 1764590000123.7), "3000000-1764590000123");
  assertEquals(formatVersion(7, null), "7");
});
