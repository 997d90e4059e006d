/**
 * The server's log lines, one per {@linkcode SessionEvent}, all of one shape, in text
 * (for people and `awk`) or JSON (for tools), one line each:
 *
 * ```text
 * TIME PEER ACTION STATUS NAME BYTES MS DETAIL
 * 2026-12-01T12:00:00.000Z 127.0.0.1:51234 get ok "photo\u0020one.jpg" 300000 12 sha256 3f2a…
 * 2026-12-01T12:00:01.000Z 127.0.0.1:51234 get refused "nope" 0 1 No such file "nope"
 * 2026-12-01T12:00:02.000Z - stop ok - - - stopped
 * ```
 *
 * Seven fields, then the detail to the end of the line. STATUS is `ok`, `refused`,
 * `failed` or `closed` (the server ended a session); NAME is quoted, with spaces and
 * other characters that could split or fool a line escaped, so it is one field; an
 * absent NAME, BYTES or MS is `-`, and so is an empty DETAIL. Commands always have
 * BYTES (what moved, also when they failed) and MS.
 *
 * @module
 */

import { printable, quote } from "../common/text.ts";
import type { SessionEvent } from "../server/log.ts";

/** The formats `--log-format` takes. */
export const LOG_FORMATS = ["text", "json"] as const;

/** A log format. */
export type LogFormat = typeof LOG_FORMATS[number];

const STATUSES = ["ok", "refused", "failed", "closed"] as const;

/** How an event ended, and what it says beyond that. */
export type Status = typeof STATUSES[number];

/** An event's result split into its status and the rest (`ok: sha256 …` → `ok`, `sha256 …`). */
export function splitResult(result: string): { status: Status; detail: string } {
  const colon = result.indexOf(": ");
  const head = colon === -1 ? result : result.slice(0, colon);
  const status = STATUSES.find((word) => word === head);
  if (status) return { status, detail: colon === -1 ? "" : result.slice(colon + 2) };
  return { status: "failed", detail: result }; // Results are written with a status: a slip.
}

/** One log line (without its `\n`), in `format`. */
export function formatEvent(
  event: SessionEvent,
  now = new Date(),
  format: LogFormat = "text",
): string {
  const { status, detail } = splitResult(event.result);
  const stack = event.error instanceof Error ? event.error.stack : undefined;
  if (format === "json") {
    return JSON.stringify({
      time: now.toISOString(),
      peer: event.peer,
      action: event.action,
      status,
      name: event.name ?? null,
      bytes: event.bytes ?? null,
      ms: event.ms ?? null,
      detail,
      ...(stack ? { stack } : {}),
    });
  }
  const text = stack ? `${detail} (${stack})` : detail;
  return [
    now.toISOString(),
    event.peer,
    event.action,
    status,
    event.name === undefined ? "-" : quote(event.name).replaceAll(" ", "\\u0020"),
    event.bytes ?? "-",
    event.ms ?? "-",
    printable(text) || "-",
  ].join(" ");
}
