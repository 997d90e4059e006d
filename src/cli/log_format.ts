/**
 * The server's log lines, one per {@linkcode SessionEvent}.
 *
 * @module
 */

import { printable, quote } from "../common/text.ts";
import type { SessionEvent } from "../server/log.ts";

/** One log line: time, peer, action, name, bytes, duration, result. */
export function formatEvent(event: SessionEvent, now = new Date()): string {
  const parts = [now.toISOString(), event.peer, event.action];
  if (event.name !== undefined) parts.push(quote(event.name));
  if (event.bytes !== undefined) parts.push(`${event.bytes} B`);
  if (event.ms !== undefined) parts.push(`${event.ms} ms`);
  parts.push(printable(event.result));
  const stack = event.error instanceof Error && event.error.stack ? `\n${event.error.stack}` : "";
  return parts.join(" ") + stack;
}
