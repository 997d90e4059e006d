/**
 * `ferry connect`'s secure mode from its flags: whom to trust (`--fingerprint`, the
 * known-servers file, or a question on the terminal) and where the token comes from
 * (`FERRY_TOKEN`, `--token-file`, or a prompt that does not echo), never the command
 * line, where other users could read it in the process list.
 *
 * @module
 */

import type { SecureConnectOptions } from "../client/connect.ts";
import { KnownHosts, parseFingerprint } from "../client/known_hosts.ts";
import { LocalFileError, UsageError } from "../common/errors.ts";
import { checkPrivate } from "../common/places.ts";
import { describeError, quote } from "../common/text.ts";
import type { CliIo } from "./io.ts";
import { trustDecision } from "./trust.ts";

/** The flags this reads. */
export interface SecureFlags {
  fingerprint?: string;
  "token-file"?: string;
  "known-hosts"?: string;
}

/** The secure options for `address`, or a usage complaint. */
export function secureSetup(
  io: CliIo,
  flags: SecureFlags,
  address: string,
): SecureConnectOptions | string {
  let given: string | undefined;
  if (flags.fingerprint !== undefined) {
    given = parseFingerprint(flags.fingerprint);
    if (!given) {
      return `--fingerprint ${
        quote(flags.fingerprint, 80)
      } is not a SHA-256 fingerprint (64 hex digits)`;
    }
  }
  const terminal = io.stdinIsTerminal;
  return {
    checkIdentity: trustDecision({
      address,
      given,
      knownHosts: new KnownHosts(flags["known-hosts"]),
      ask: terminal
        ? async (question) => /^y(es)?$/i.test((await io.ask(question))?.trim() ?? "")
        : undefined,
      onRemembered: (message) => io.stderr.write(message),
    }),
    token: () => readToken(io, flags, address),
  };
}

/** The token, from the first place that has one. */
async function readToken(io: CliIo, flags: SecureFlags, address: string): Promise<string> {
  const file = flags["token-file"];
  if (file !== undefined) return await tokenFromFile(file);
  const fromEnv = io.env("FERRY_TOKEN")?.trim();
  if (fromEnv) return fromEnv;
  if (io.stdinIsTerminal) {
    const typed = (await io.ask(`Token for ${address} (not shown): `, { secret: true }))?.trim();
    if (typed) return typed;
  }
  throw new UsageError(
    "This server needs a token: set FERRY_TOKEN, or use --token-file FILE " +
      "(the server printed it when it started)",
  );
}

/** The first line of a private file. */
export async function tokenFromFile(path: string): Promise<string> {
  try {
    await checkPrivate(path, "The token file");
    const token = (await Deno.readTextFile(path)).split("\n")[0].trim();
    if (token === "") throw new Error("it is empty");
    return token;
  } catch (error) {
    throw new LocalFileError(`Cannot use the token file ${quote(path)}: ${describeError(error)}`);
  }
}
