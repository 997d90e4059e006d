import { assert, assertEquals, assertStartsWith, assertStringIncludes } from "../support/assert.ts";
import { fakeTerminal } from "../support/fake_terminal.ts";
import { displayWidth } from "../../src/cli/live_line.ts";
import {
  BatchView,
  renderBatchProgress,
  renderBatchSummary,
  renderOutcome,
} from "../../src/cli/batch_view.ts";
import type { BatchFile, BatchPlan, BatchReport } from "../../src/client/batch.ts";
import { RemoteError } from "../../src/common/errors.ts";

const file = (shown: string, size = 4096): BatchFile => ({
  remote: shown,
  local: shown,
  size,
  shown,
});
const result = (name: string, bytes: number) => ({
  name,
  path: name,
  bytes,
  digest: "sha256" as const,
  hex: "0".repeat(64),
  verified: true,
  ms: 2,
});

function plan(files: BatchFile[], refused: BatchPlan["refused"] = []): BatchPlan {
  return {
    direction: "put",
    label: 'put -r "photos"',
    folders: [],
    files,
    refused,
    makeFolder: () => Promise.resolve(),
  };
}

Deno.test("`renderBatchProgress()` draws the whole batch on one line", () => {
  const line = renderBatchProgress(
    {
      label: 'put -r "photos"',
      filesDone: 412,
      files: 1000,
      bytesDone: 1_200_000,
      bytes: 2_600_000,
      elapsedMs: 2000,
    },
    100,
  );
  assertEquals(
    line,
    'put -r "photos" [==========>           ]  46%  412/1000 files  1.20 MB/2.60 MB  600.0 KB/s  ETA 0:02',
  );
  assert(line.length <= 100, line);
});

Deno.test("`renderBatchProgress()` counts files when sizes are unknown, and fits a narrow terminal", () => {
  const state = {
    label: 'get "*.txt"',
    filesDone: 1,
    files: 4,
    bytesDone: 10,
    bytes: 0,
    elapsedMs: 1000,
  };
  assertStringIncludes(renderBatchProgress(state, 200), " 25%  1/4 files  10 B  10 B/s");
  // Narrower, whole figures go, the ETA first, rather than one cut in half.
  assertEquals(
    [60, 45, 30].map((width) => renderBatchProgress(state, width)),
    [
      'get "*.txt"  25%  1/4 files  10 B  10 B/s  ETA 0:03',
      'get "*.txt"  25%  1/4 files  10 B  10 B/s',
      'get "*.txt"  25%  1/4 files',
    ],
  );
});

Deno.test("`BatchView` redraws its line at once on a resize, clearing the rows the old one took", () => {
  const terminal = fakeTerminal(120);
  const view = new BatchView(terminal.target, {
    direction: "get",
    label: 'get "a" "b"',
    files: [file("a", 1 << 30), file("b", 1)],
  });
  view.onStart(file("a", 1 << 30));
  view.onProgress(1 << 20);
  assertEquals(displayWidth(terminal.written.split("\r\x1b[K").at(-1)!), 117);
  terminal.written = "";
  terminal.resize(60); // No progress meanwhile: a stalled batch is redrawn too.
  assertStartsWith(terminal.written, "\r\x1b[2K\x1b[1A\x1b[2K"); // 117 columns are two rows of 60.
  assert(
    displayWidth(terminal.written.slice("\r\x1b[2K\x1b[1A\x1b[2K".length)) <= 57,
    terminal.written,
  );
  view.finish();
  assertEquals(terminal.listeners.size, 0); // It stops listening when done.
});

Deno.test("`renderOutcome()` gives one line per file", () => {
  assertEquals(
    renderOutcome("put", { status: "skipped", file: file("photos/a.jpg"), digest: "sha256" }),
    'skip "photos/a.jpg": already there, the same by sha256',
  );
  assertEquals(
    renderOutcome("put", {
      status: "failed",
      file: file("photos/b.jpg"),
      error: new RemoteError("No"),
    }),
    'fail "photos/b.jpg": Server refused: No',
  );
  assertEquals(
    renderOutcome("get", {
      status: "sent",
      file: file("photos/c.jpg"),
      result: result("c.jpg", 4096),
    }),
    'get "photos/c.jpg": 4.10 KB in 0.00 s (2.05 MB/s), sha256 verified',
  );
});

Deno.test("`renderBatchSummary()` says what went, what was skipped, and what did not and why", () => {
  const files = [file("photos/a.jpg"), file("photos/b.jpg"), file("photos/c.jpg")];
  const ok: BatchReport = {
    plan: plan(files),
    outcomes: [
      { status: "sent", file: files[0], result: result("a", 4096) },
      { status: "sent", file: files[1], result: result("b", 4096) },
      { status: "skipped", file: files[2], digest: "sha256" },
    ],
    bytes: 8192,
    ms: 1000,
  };
  assertEquals(
    renderBatchSummary(ok),
    'put -r "photos": 2 files transferred, 8.19 KB in 1.00 s (2 files/s, 8.19 KB/s), all sha256 verified; ' +
      "1 already there (the same by sha256), skipped\n",
  );
  const partial: BatchReport = {
    plan: plan(files.slice(0, 2), [{ shown: "photos/link", reason: "a link here, not followed" }]),
    outcomes: [
      { status: "sent", file: files[0], result: result("a", 4096) },
      {
        status: "failed",
        file: files[1],
        error: new RemoteError('"photos/b.jpg" already exists on the server'),
      },
    ],
    bytes: 4096,
    ms: 500,
  };
  assertEquals(
    renderBatchSummary(partial),
    'put -r "photos": 1 of 3 files transferred, 4.10 KB in 0.50 s (2 files/s, 8.19 KB/s), all sha256 verified\n' +
      "not transferred (2):\n" +
      '  "photos/link": a link here, not followed\n' +
      '  "photos/b.jpg": Server refused: "photos/b.jpg" already exists on the server\n',
  );
});

Deno.test("`renderBatchSummary()` of a batch with nothing left to do says so", () => {
  const files = [file("a")];
  const report: BatchReport = {
    plan: plan(files),
    outcomes: [{ status: "skipped", file: files[0], digest: "sha256" }],
    bytes: 0,
    ms: 3,
  };
  assertEquals(
    renderBatchSummary(report),
    'put -r "photos": nothing to transfer; 1 already there (the same by sha256), skipped\n',
  );
});
