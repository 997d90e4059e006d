import { assertEquals, assertThrows } from "../support/assert.ts";
import { ProtocolError } from "../../src/common/errors.ts";
import {
  formatOk,
  formatPort,
  formatRefusal,
  interpretReplyField,
  MAX_MESSAGE_BYTES,
  parseFramedPort,
  parseOk,
} from "../../src/protocol/replies.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("`formatPort()` sends the port as a bare field", () => {
  assertEquals(text(formatPort(41234)), "0000041234");
  assertEquals(text(formatPort(65535)), "0000065535");
});

Deno.test("`formatRefusal()` sends the zero field, then one message frame", () => {
  assertEquals(
    text(formatRefusal('No such file "nope.txt"')),
    '00000000000000000023No such file "nope.txt"',
  );
  assertEquals(
    text(formatRefusal('Unknown command "frob": expected ls, get, put or quit')),
    '00000000000000000053Unknown command "frob": expected ls, get, put or quit',
  );
  assertEquals(text(formatRefusal("")), "00000000000000000000");
});

Deno.test("`formatRefusal()` counts UTF-8 bytes in the frame length", () => {
  assertEquals(text(formatRefusal("é")), "00000000000000000002é");
});

Deno.test("`formatRefusal()` cuts a long message at 4096 bytes", () => {
  const bytes = formatRefusal("x".repeat(5000));
  assertEquals(bytes.byteLength, 20 + MAX_MESSAGE_BYTES);
  assertEquals(text(bytes), "0000000000" + "0000004096" + "x".repeat(4096));
});

Deno.test("`formatRefusal()` cuts at a character boundary", () => {
  // One ASCII byte, then two-byte characters: 4096 would split the 2048th "é".
  const bytes = formatRefusal("a" + "é".repeat(3000));
  assertEquals(text(bytes), "0000000000" + "0000004095" + "a" + "é".repeat(2047));
  // Four-byte characters: 4096 is a boundary.
  assertEquals(text(formatRefusal("😀".repeat(2000))), "00000000000000004096" + "😀".repeat(1024));
});

Deno.test("`formatOk()` sends an `ok` frame, with text if given", () => {
  assertEquals(text(formatOk()), "0000000002ok");
  assertEquals(text(formatOk("")), "0000000002ok");
  assertEquals(text(formatOk("abort digest=sha256")), "0000000022ok abort digest=sha256");
});

Deno.test("`parseOk()` reads `ok` frames and nothing else", () => {
  assertEquals(parseOk("ok"), "");
  assertEquals(parseOk("ok "), "");
  assertEquals(parseOk("ok abort"), "abort");
  assertEquals(parseOk("ok  two spaces"), " two spaces");
  assertEquals(parseOk("okay"), undefined);
  assertEquals(parseOk("OK"), undefined);
  assertEquals(parseOk("-1"), undefined);
  assertEquals(parseOk(""), undefined);
});

Deno.test("`parseOk()` reads what `formatOk()` writes", () => {
  for (const payload of ["", "abort", "abort digest=sha256"]) {
    assertEquals(parseOk(text(formatOk(payload).subarray(10))), payload);
  }
});

Deno.test("`interpretReplyField()` tells ports, framed ports and refusals apart (§6)", () => {
  assertEquals(interpretReplyField(41234), { kind: "port", port: 41234 });
  assertEquals(interpretReplyField(65535), { kind: "port", port: 65535 });
  assertEquals(interpretReplyField(6), { kind: "port", port: 6 });
  assertEquals(interpretReplyField(5), { kind: "framed-port", length: 5 });
  assertEquals(interpretReplyField(1), { kind: "framed-port", length: 1 });
  assertEquals(interpretReplyField(0), { kind: "refused" });
  assertEquals(interpretReplyField(-1), { kind: "refused-silently" });
  assertEquals(interpretReplyField(-42), { kind: "refused-silently" });
});

Deno.test("`interpretReplyField()` rejects a port above 65535", () => {
  for (const value of [65536, 9_999_999_999]) {
    const error = assertThrows(() => interpretReplyField(value), ProtocolError);
    assertEquals(error.message, `Server replied with port ${value}: expected at most 65535`);
  }
});

Deno.test("`parseFramedPort()` accepts 1 to 65535 only", () => {
  assertEquals(parseFramedPort("41234"), 41234);
  assertEquals(parseFramedPort("1"), 1);
  assertEquals(parseFramedPort("65535"), 65535);
  assertEquals(parseFramedPort("00080"), 80);
  for (
    const bad of ["0", "00000", "65536", "99999", "", "12a", " 123", "123 ", "+123", "-1", "１２"]
  ) {
    const error = assertThrows(() => parseFramedPort(bad), ProtocolError);
    assertEquals(error.message, `Server replied with port "${bad}": expected 1 to 65535`);
  }
});

Deno.test("`parseFramedPort()` quotes control characters safely", () => {
  const error = assertThrows(() => parseFramedPort("\x1b[2J"), ProtocolError);
  assertEquals(error.message, 'Server replied with port "\\u001b[2J": expected 1 to 65535');
});
