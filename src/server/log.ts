/**
 * What the server reports: one {@linkcode SessionEvent} per thing a session did, and
 * how a command or the end of a session reads there. The CLI turns them into log
 * lines; tests wait for them.
 *
 * @module
 */

import { TransferError } from "../common/errors.ts";
import { describeError } from "../common/text.ts";
import type { CommandOf, Verb } from "../protocol/commands.ts";
import type { Outcome } from "./command_context.ts";
import { SessionClosed } from "./command_reader.ts";

/** One line of the server's log: something a session did, and how it ended. */
export interface SessionEvent {
  /** The client's address, `host:port`. */
  peer: string;
  /** `connect`, `disconnect`, a command verb, or `protocol-error`/`intruder`. */
  action: string;
  /** The file name a command was about. */
  name?: string;
  /** Payload bytes moved. */
  bytes?: number;
  /** How long the command took, in milliseconds. */
  ms?: number;
  /** `ok`, or what went wrong, in one sentence. */
  result: string;
  /** For `internal-error`: the error itself, so its stack can be logged. */
  error?: unknown;
}

/** Where events go. */
export type EventLog = (event: SessionEvent) => void;

/** An event as a session makes it; the session adds its peer. */
export type SessionEntry = Omit<SessionEvent, "peer">;

/** What the log says of a session ended by a shutdown, and of a transfer it cut. */
export const SHUT_DOWN = "The server shut down";

/** The entry of a command that began at `started` (`performance.now()`) and ended as `outcome`. */
export function commandEvent(
  command: CommandOf<Verb>,
  started: number,
  outcome: Outcome,
): SessionEntry {
  return {
    action: command.verb,
    name: subjectOf(command),
    ms: Math.round(performance.now() - started),
    ...outcome,
    bytes: outcome.bytes ?? 0, // Every command's line says what moved: nothing, here.
  };
}

/** The entry of a session ended by `error`, or by the server's shutdown (`shutDown`). */
export function endEvent(error: unknown, { shutDown }: { shutDown: boolean }): SessionEntry {
  // Whatever failed as the connections closed, the reason is the shutdown.
  if (shutDown) return { action: "disconnect", result: `closed: ${SHUT_DOWN}` };
  if (error instanceof SessionClosed) {
    return { action: "disconnect", result: `closed: ${error.message}` };
  }
  if (error instanceof TransferError) {
    return { action: "disconnect", result: `failed: ${error.message}` };
  }
  // A bug: say so plainly rather than dressing it up as the client's fault.
  return { action: "internal-error", result: `failed: ${describeError(error)}`, error };
}

/** What a command was about, for the log: its name or path, or `FROM -> TO` for a rename. */
function subjectOf(command: CommandOf<Verb>): string | undefined {
  if ("name" in command) return command.name;
  if ("from" in command) return `${command.from} -> ${command.to}`;
  return "path" in command ? command.path : undefined;
}
