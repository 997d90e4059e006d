import { assert, assertEquals, assertStartsWith, assertStringIncludes } from "../support/assert.ts";
import { displayWidth } from "../../src/cli/live_line.ts";
import {
  formatDuration,
  ProgressBar,
  renderCancelled,
  renderProgress,
  renderSummary,
} from "../../src/cli/progress.ts";
import { fakeTerminal } from "../support/fake_terminal.ts";

Deno.test("formatDuration() shows m:ss and h:mm:ss", () => {
  assertEquals(formatDuration(0), "0:00");
  assertEquals(formatDuration(61.4), "1:01");
  assertEquals(formatDuration(3723), "1:02:03");
  assertEquals(formatDuration(Infinity), "-:--");
});

Deno.test("renderProgress() draws a bar that fits the width", () => {
  const line = renderProgress(
    { verb: "get", name: "big.bin", bytes: 5_000_000, total: 10_000_000, elapsedMs: 1000 },
    80,
  );
  assertEquals(
    line,
    'get "big.bin" [==========>          ]  50%  5.00 MB/10.0 MB  5.00 MB/s  ETA 0:01',
  );
  assertEquals(line.length, 80);
});

Deno.test("renderProgress() drops the bar on a narrow terminal", () => {
  const line = renderProgress(
    { verb: "put", name: "x", bytes: 0, total: 100, elapsedMs: 0 },
    40,
  );
  assertEquals(line, 'put "x"   0%  0 B/100 B  -  ETA -:--');
});

Deno.test("renderProgress() drops whole figures, the ETA first, when even they do not fit", () => {
  const state = { verb: "get", name: "big.iso", bytes: 419_400_000, total: 3_220_000_000 };
  const at = (width: number) => renderProgress({ ...state, elapsedMs: 1394 }, width);
  assertEquals(at(58), 'get "big.iso"  13%  419.4 MB/3.22 GB  300.9 MB/s  ETA 0:09');
  assertEquals(at(57), 'get "big.iso"  13%  419.4 MB/3.22 GB  300.9 MB/s');
  assertEquals(at(40), 'get "big.iso"  13%  419.4 MB/3.22 GB');
  assertEquals(at(25), 'get "big.iso"  13%');
  assertEquals(at(10), 'get "big.i'); // Only a name too long for the line is cut.
});

Deno.test("renderProgress() shows an empty file as complete", () => {
  const line = renderProgress({ verb: "get", name: "e", bytes: 0, total: 0, elapsedMs: 5 }, 60);
  assertStringIncludes(line, "100%");
});

Deno.test("renderSummary() says whether the transfer was verified", () => {
  assertEquals(
    renderSummary({
      verb: "get",
      name: "a b",
      bytes: 2_000_000,
      ms: 500,
      verified: true,
      digest: "sha256",
    }),
    'get "a b": 2.00 MB in 0.50 s (4.00 MB/s), sha256 verified',
  );
  assertEquals(
    renderSummary({ verb: "put", name: "a", bytes: 1, ms: 0, verified: false, digest: "sha256" }),
    'put "a": 1 B in 0.00 s (-), not verified: the server sent no checksum',
  );
});

Deno.test("renderSummary() says a transfer continued a cut one, and rates only this run's bytes", () => {
  assertEquals(
    renderSummary({
      verb: "get",
      name: "big.bin",
      bytes: 3_000_000,
      resumedFrom: 1_000_000,
      ms: 1000,
      verified: true,
      digest: "xxh128",
    }),
    'get "big.bin": 3.00 MB in 1.00 s (2.00 MB/s), continued after the 1.00 MB kept, xxh128 verified',
  );
});

Deno.test("ProgressBar prints only the summary when output is not a terminal", () => {
  let written = "";
  const bar = new ProgressBar(
    { write: (t) => written += t, isTerminal: false, columns: () => 80 },
    "get",
    "f",
  );
  bar.update(50, 100);
  bar.finish({ verb: "get", name: "f", bytes: 100, ms: 1000, verified: true, digest: "sha256" });
  assertEquals(written, 'get "f": 100 B in 1.00 s (100 B/s), sha256 verified\n');
});

Deno.test("ProgressBar redraws in place on a terminal, then clears for the summary", () => {
  let written = "";
  const bar = new ProgressBar(
    { write: (t) => written += t, isTerminal: true, columns: () => 60 },
    "get",
    "f",
  );
  bar.update(100, 100);
  bar.finish();
  assertStartsWith(written, "\r\x1b[K");
  assertStringIncludes(written.slice(-5), "\r\x1b[2K");
  assertStringIncludes(written, "100%");
});

Deno.test("renderProgress() counts wide characters as two columns", () => {
  const line = renderProgress(
    {
      verb: "get",
      name: "大きいファイル名前テスト動画データ.bin",
      bytes: 1,
      total: 2,
      elapsedMs: 1,
    },
    60,
  );
  assert(displayWidth(line) <= 60, line);
  assertEquals(displayWidth("名前"), 4);
  assertEquals(displayWidth("e\u0301"), 1);
});

Deno.test("ProgressBar.finish() writes its summary once", () => {
  let written = "";
  const bar = new ProgressBar(
    { write: (t) => written += t, isTerminal: false, columns: () => 80 },
    "get",
    "f",
  );
  bar.finish({ verb: "get", name: "f", bytes: 1, ms: 1, verified: true, digest: "sha256" });
  bar.finish();
  assertEquals(written.split("\n").length, 2);
});

Deno.test("ProgressBar redraws at once on a resize, narrower, clearing the rows the old one took", () => {
  const terminal = fakeTerminal(120);
  const bar = new ProgressBar(terminal.target, "get", "big.bin");
  bar.update(1 << 20, 64 << 20);
  const wide = terminal.written.split("\r\x1b[K").at(-1)!;
  assertEquals(displayWidth(wide), 117); // The width, less the margin for an echoed ^C.
  terminal.written = "";
  terminal.resize(60); // No new bytes: a stalled transfer is redrawn too.
  assertStartsWith(terminal.written, "\r\x1b[2K\x1b[1A\x1b[2K"); // 117 columns are two rows of 60.
  const narrow = terminal.written.slice("\r\x1b[2K\x1b[1A\x1b[2K".length);
  assert(displayWidth(narrow) <= 57, narrow); // Without the bar, if the figures need the room.
  bar.finish();
  assertEquals(terminal.listeners.size, 0); // It stops listening when done.
});

Deno.test("ProgressBar draws a held-back update later, so a stalled transfer shows its figures", async () => {
  const terminal = fakeTerminal(100);
  const bar = new ProgressBar(terminal.target, "get", "big.bin");
  try {
    bar.update(1_000, 10_000_000); // Drawn at once.
    bar.update(1_000_000, 10_000_000); // Within 100 ms: held back...
    assert(!terminal.written.includes("1.00 MB/"), terminal.written);
    // ...and drawn once the 100 ms are up, with no further update to prompt it.
    const deadline = performance.now() + 5_000;
    while (!terminal.written.includes("1.00 MB/") && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10)); // Between polls.
    }
    assertStringIncludes(terminal.written, "1.00 MB/10.0 MB");
  } finally {
    bar.finish();
  }
});

Deno.test("renderCancelled() says whether what arrived was kept to continue from", () => {
  const state = { verb: "get" as const, name: "big.iso", bytes: 5_200_000, total: 10_000_000 };
  assertEquals(
    renderCancelled(state),
    'get "big.iso": cancelled after 5.20 MB of 10.0 MB; nothing was kept',
  );
  assertEquals(
    renderCancelled(state, { kept: true }),
    'get "big.iso": cancelled after 5.20 MB of 10.0 MB; kept: get again continues from it',
  );
});
