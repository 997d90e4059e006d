import { assertEquals, assertStartsWith, assertStringIncludes } from "../support/assert.ts";
import {
  displayWidth,
  formatDuration,
  ProgressBar,
  renderProgress,
  renderSummary,
} from "../../src/cli/progress.ts";

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
  assertEquals(written.endsWith("\r\x1b[K"), true);
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
  assertEquals(displayWidth(line) <= 60, true);
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
