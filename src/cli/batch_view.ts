/**
 * What a transfer of many files looks like: one line per file as it finishes, one
 * progress line for the whole batch redrawn beneath them on a terminal, and a summary
 * at the end that lists every file not transferred and why. Rendering is pure and
 * tested as strings; {@linkcode BatchView} only decides when to draw.
 *
 * @module
 */

import type { BatchEvents, BatchFile, BatchReport, FileOutcome } from "../client/batch.ts";
import { tally } from "../client/batch.ts";
import { formatBytes } from "../common/sizes.ts";
import { quote } from "../common/text.ts";
import { describeFailure } from "./describe.ts";
import type { ProgressTarget } from "./io.ts";
import { displayWidth, LiveLine } from "./live_line.ts";
import { formatDuration, formatRate, renderSummary, withoutBar } from "./progress.ts";

/** A batch under way. */
export interface BatchState {
  label: string;
  filesDone: number;
  files: number;
  bytesDone: number;
  /** Bytes in the batch, where the plan knew them (0 otherwise). */
  bytes: number;
  elapsedMs: number;
}

/**
 * The batch's line, at most `width` columns:
 * `put -r "photos" [=====>     ]  45%  412/1000 files  1.20 MB/2.60 MB  3.20 MB/s  ETA 0:03`.
 * The fraction is by bytes when the sizes are known, by files otherwise.
 */
export function renderBatchProgress(state: BatchState, width: number): string {
  const byBytes = state.bytes > 0;
  const fraction = Math.min(
    1,
    byBytes ? state.bytesDone / state.bytes : state.files > 0 ? state.filesDone / state.files : 1,
  );
  const rate = formatRate(state.bytesDone, state.elapsedMs);
  const perSecond = fraction / Math.max(state.elapsedMs / 1000, 0.001);
  const eta = `ETA ${formatDuration(perSecond > 0 ? (1 - fraction) / perSecond : Infinity)}`;
  const size = byBytes
    ? `${formatBytes(state.bytesDone)}/${formatBytes(state.bytes)}`
    : formatBytes(state.bytesDone);
  const fields = [
    `${Math.floor(fraction * 100)}%`.padStart(4),
    `${state.filesDone}/${state.files} files`,
    size,
    rate,
    eta,
  ];
  const figures = ` ${fields.join("  ")}`;
  const label = `${state.label} `;
  const barWidth = width - displayWidth(label) - figures.length - 2;
  if (barWidth < 10) return withoutBar(label, fields, width);
  const filled = Math.floor(fraction * barWidth);
  const bar = "=".repeat(filled) + (filled < barWidth ? ">" : "") +
    " ".repeat(Math.max(0, barWidth - filled - 1));
  return `${label}[${bar}]${figures}`;
}

/** The line for one finished file. */
export function renderOutcome(direction: "get" | "put", outcome: FileOutcome): string {
  const name = quote(outcome.file.shown);
  switch (outcome.status) {
    case "sent":
      return renderSummary({ ...outcome.result, verb: direction, name: outcome.file.shown });
    case "skipped":
      return `skip ${name}: already there, the same by ${outcome.digest}`;
    case "failed":
      return `fail ${name}: ${describeFailure(outcome.error)}`;
  }
}

/**
 * The summary, ending in `\n`: the batch's figures, then, if anything was not
 * transferred, each such file (or folder, or refused entry) with why.
 */
export function renderBatchSummary(report: BatchReport): string {
  const { sent, skipped, failed } = tally(report);
  const { plan } = report;
  const total = plan.files.length + plan.refused.length;
  const seconds = (report.ms / 1000).toFixed(2);
  const filesPerSecond = report.ms > 0 ? Math.round(sent / (report.ms / 1000)) : 0;
  const unverified = report.outcomes.filter((o) => o.status === "sent" && !o.result.verified);
  const check = unverified.length === 0
    ? `all ${digestsOf(report.outcomes)} verified`
    : `${unverified.length} not verified: the server sent no checksum`;
  const complete = failed + plan.refused.length === 0;
  const counted = complete ? `${sent} files` : `${sent} of ${total} files`;
  let text = complete && sent === 0
    ? `${plan.label}: nothing to transfer`
    : `${plan.label}: ${counted} transferred, ${formatBytes(report.bytes)} in ${seconds} s ` +
      `(${filesPerSecond} files/s, ${formatRate(report.bytes, report.ms)}), ${check}`;
  if (skipped > 0) {
    text += `; ${skipped} already there (the same by ${digestsOf(report.outcomes)}), skipped`;
  }
  const missing = [
    ...plan.refused.map((refusal) => `  ${quote(refusal.shown)}: ${refusal.reason}`),
    ...report.outcomes.flatMap((o) =>
      o.status === "failed" ? [`  ${quote(o.file.shown)}: ${describeFailure(o.error)}`] : []
    ),
  ];
  if (missing.length > 0) text += `\nnot transferred (${missing.length}):\n${missing.join("\n")}`;
  return text + "\n";
}

/** Shows a batch on `target` as it runs: the events to hand to `runBatch`. */
export class BatchView implements BatchEvents {
  #target: ProgressTarget;
  #direction: "get" | "put";
  #state: BatchState;
  #started = performance.now();
  #current = 0;
  #line: LiveLine;

  constructor(
    target: ProgressTarget,
    plan: { direction: "get" | "put"; label: string; files: readonly BatchFile[] },
  ) {
    this.#target = target;
    this.#direction = plan.direction;
    // Known only if every size is: otherwise the fraction goes by files.
    const sizes = plan.files.map((file) => file.size);
    const bytes = sizes.every((size) => size !== undefined)
      ? sizes.reduce((sum: number, size) => sum + (size ?? 0), 0)
      : 0;
    this.#state = {
      label: plan.label,
      filesDone: 0,
      files: plan.files.length,
      bytesDone: 0,
      bytes,
      elapsedMs: 0,
    };
    this.#line = new LiveLine(target, (width) =>
      renderBatchProgress({
        ...this.#state,
        bytesDone: this.#state.bytesDone + this.#current,
        elapsedMs: performance.now() - this.#started,
      }, width));
  }

  onStart(_file: BatchFile): void {
    this.#current = 0;
  }

  onProgress(bytes: number): void {
    this.#current = bytes;
    this.#line.draw();
  }

  onDone(outcome: FileOutcome): void {
    this.#state.filesDone++;
    this.#state.bytesDone += outcome.status === "sent"
      ? outcome.result.bytes
      : outcome.file.size ?? 0;
    this.#current = 0;
    this.#line.clear();
    this.#target.write(renderOutcome(this.#direction, outcome) + "\n");
    this.#line.draw(true);
  }

  /** Clears the batch line, for the summary to follow. */
  finish(): void {
    this.#line.close();
  }
}

/**
 * The digests a batch's files were verified or compared by: one, unless the session
 * agreed one mid-batch (its first `feat` came after the first file).
 */
function digestsOf(outcomes: readonly FileOutcome[]): string {
  const names = new Set(
    outcomes.flatMap((o) =>
      o.status === "sent" ? [o.result.digest] : o.status === "skipped" ? [o.digest] : []
    ),
  );
  return [...names].join(" and ") || "sha256";
}
