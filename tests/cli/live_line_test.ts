/** The line redrawn in place that progress bars and batch lines share. */
import { assertEquals } from "../support/assert.ts";
import { displayWidth, LiveLine, rewind } from "../../src/cli/live_line.ts";
import { fakeTerminal } from "../support/fake_terminal.ts";

Deno.test("rewind() climbs the rows a wide line wrapped onto after the terminal narrowed", () => {
  assertEquals(rewind(50, 80), "\r\x1b[2K");
  assertEquals(rewind(100, 60), "\r\x1b[2K\x1b[1A\x1b[2K");
  assertEquals(rewind(150, 50), "\r\x1b[2K\x1b[1A\x1b[2K\x1b[1A\x1b[2K");
});

Deno.test("displayWidth() counts wide characters as two columns and combining marks as none", () => {
  assertEquals([displayWidth("abc"), displayWidth("名前"), displayWidth("e\u0301")], [3, 4, 1]);
});

Deno.test("LiveLine draws nothing on what is not a terminal", () => {
  let written = "";
  const line = new LiveLine(
    { write: (text) => written += text, isTerminal: false, columns: () => 80 },
    () => "never",
  );
  line.draw(true);
  line.close();
  assertEquals(written, "");
});

Deno.test("LiveLine clears for a line above it, comes back, and stops listening once closed", () => {
  const terminal = fakeTerminal(40);
  const line = new LiveLine(terminal.target, (width) => `w${width}`);
  line.draw(true);
  line.clear();
  terminal.target.write("above\n");
  line.draw(true);
  assertEquals(terminal.written, "\r\x1b[Kw37\r\x1b[2Kabove\n\r\x1b[Kw37");
  line.close();
  assertEquals(terminal.listeners.size, 0);
});
