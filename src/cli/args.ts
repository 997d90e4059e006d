/**
 * Reading the command line: options through `node:util`'s `parseArgs`, with every
 * complaint turned into one sentence and exit code 2.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { describeError, printable, quote } from "../common/text.ts";
import { USAGE } from "./exit_codes.ts";
import type { CliIo } from "./io.ts";

/** Options every subcommand takes. */
export const COMMON_OPTIONS = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

/** Parses `args`, or reports the bad option and returns the usage exit code. */
export function parseOrUsage<T extends ParseArgsConfig>(
  io: CliIo,
  name: string,
  config: T,
): ReturnType<typeof parseArgs<T>> | number {
  try {
    return parseArgs(config);
  } catch (error) {
    // node:util's messages run on with advice about "--"; the first sentence is enough.
    return usageError(
      io,
      name,
      describeError(error).split("\n")[0].split(". ")[0].replace(/\.$/, ""),
    );
  }
}

/** Reports a usage mistake in one sentence, with where to look; returns the exit code. */
export function usageError(io: CliIo, name: string, message: string): number {
  io.stderr.write(`ferry ${name}: ${printable(message)}\nTry "ferry ${name} --help".\n`);
  return USAGE;
}

/** A port number within `min`..65535, or `undefined`. */
export function parsePort(text: string, min: number): number | undefined {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  return port >= min && port <= 65535 ? port : undefined;
}

/** `[]`, `[HOST]`, `[HOST, PORT]` or `[HOST:PORT]` (IPv6 as `[::1]:PORT`). */
export function parseTarget(words: string[]): { hostname: string; port: number } | string {
  if (words.length > 2) return `Expected HOST and PORT, got ${words.length} arguments`;
  let [host = "127.0.0.1", portText = "2121"] = words;
  const bracketed = /^\[(.+)\](?::(.*))?$/.exec(host);
  if (bracketed) {
    host = bracketed[1];
    if (bracketed[2] !== undefined && words.length === 1) portText = bracketed[2];
  } else if (words.length === 1 && host.split(":").length === 2) {
    [host, portText] = host.split(":");
  }
  const port = parsePort(portText, 1);
  if (port === undefined) return `Port ${quote(portText)} is not a number from 1 to 65535`;
  if (host === "") return "Host is empty";
  return { hostname: host, port };
}
