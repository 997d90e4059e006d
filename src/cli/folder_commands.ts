/**
 * What the folder commands do at the `ftp>` prompt: `ls` (with `-l` and `--json`),
 * `cd`, `pwd`, `mkdir`, `rmdir`, `rm` and `rename` on the server, and `lcd`, `lpwd`
 * and `lls` here. Like a shell, a change that worked prints nothing, and `~` in a
 * local path is the home folder. A plain `ls` also refreshes the names Tab knows.
 *
 * @module
 */

import { join } from "node:path";
import type { Client } from "../client/client.ts";
import { LocalFileError, UsageError } from "../common/errors.ts";
import { processEnv } from "../common/places.ts";
import { describeError, printable, quote } from "../common/text.ts";
import { compareCodePoints } from "../protocol/listing.ts";
import type { EntryType, LongEntry } from "../protocol/long_listing.ts";
import type { Output } from "./io.ts";
import { expandHome } from "./local_paths.ts";
import type { RemoteNames } from "./remote_names.ts";
import { renderJson, renderLong, renderNamePieces, renderNames } from "./listing_view.ts";
import { parseFlags } from "./repl_flags.ts";

/** What a folder command runs against: a `ReplContext` will do. */
export interface FolderIo {
  client: Client;
  stdout: Output;
  /** The server's names as Tab knows them, which a listing refreshes. */
  names?: RemoteNames;
  /** Aborts when the user cancels the command (Ctrl-C at the prompt). */
  signal?: AbortSignal;
}

/** The options of `ls` and `lls`. */
export const LIST_FLAGS = { long: ["-l", "--long"], json: ["--json"] };
/** The options of `rename`. */
export const RENAME_FLAGS = { replace: ["-f", "--replace"] };

/** `ls [-l] [--json] [PATH]` on the server. */
export async function lsCommand(args: string[], io: FolderIo): Promise<void> {
  const { client, stdout } = io;
  const { flags, words } = parseFlags(args, { command: "ls", flags: LIST_FLAGS });
  const [path] = words.length <= 1 ? words : usage("ls [-l] [--json] [PATH]");
  if (flags.has("json")) stdout.write(renderJson(await client.listLong(path)));
  else if (flags.has("long")) {
    stdout.write(renderLong(await client.listLong(path), stdout.isTerminal ?? false));
  } else {
    const listing = await client.list(path, { signal: io.signal });
    io.names?.seen(path ?? "", listing);
    for (const piece of renderNamePieces(listing)) stdout.write(piece);
  }
}

/** `lls [-l] [--json] [PATH]`: the same for a local folder. */
export async function llsCommand(args: string[], { stdout }: FolderIo): Promise<void> {
  const { flags, words } = parseFlags(args, { command: "lls", flags: LIST_FLAGS });
  const [path = "."] = words.length <= 1 ? words : usage("lls [-l] [--json] [PATH]");
  const entries = await localEntries(expandHome(path));
  if (flags.has("json")) stdout.write(renderJson(entries));
  else if (flags.has("long")) stdout.write(renderLong(entries, stdout.isTerminal ?? false));
  else {
    stdout.write(
      renderNames(entries.map((e) => ({ name: e.path, isDirectory: e.type !== "file" }))),
    );
  }
}

/** `cd [PATH]`: with none, back to the shared folder's root. */
export async function cdCommand(args: string[], { client }: FolderIo): Promise<void> {
  await client.cd(args[0] ?? "/");
}

/** `pwd`: the session's folder on the server. */
export async function pwdCommand(_args: string[], { client, stdout }: FolderIo): Promise<void> {
  stdout.write(`${printable(await client.cd())}\n`);
}

/** `mkdir PATH...`, `rmdir PATH...` or `rm PATH...`, in order, stopping at the first refusal. */
export function changeCommand(
  verb: "mkdir" | "rmdir" | "rm",
): (args: string[], io: FolderIo) => Promise<void> {
  return async (args, { client }) => {
    const { words } = parseFlags(args, { command: verb, flags: {} });
    if (words.length === 0) usage(`${verb} PATH...`);
    for (const path of words) {
      if (verb === "mkdir") await client.mkdir(path);
      else if (verb === "rmdir") await client.rmdir(path);
      else await client.remove(path);
    }
  };
}

/** `rename [-f] FROM TO` (also `mv`): never over an existing name without `-f`. */
export async function renameCommand(args: string[], { client }: FolderIo): Promise<void> {
  const { flags, words } = parseFlags(args, { command: "rename", flags: RENAME_FLAGS });
  const [from, to] = words.length === 2 ? words : usage("rename [-f] FROM TO");
  await client.rename(from, to, { replace: flags.has("replace") });
}

/** `lcd [PATH]`: moves this side's current folder (default: the home folder). */
export function lcdCommand(args: string[], { stdout }: FolderIo): Promise<void> {
  const path = args[0] === undefined ? processEnv("HOME") ?? "." : expandHome(args[0]);
  try {
    Deno.chdir(path);
  } catch (error) {
    throw new LocalFileError(
      `Cannot change to the local folder ${quote(path)}: ${describeError(error)}`,
    );
  }
  stdout.write(`Local folder: ${printable(Deno.cwd())}\n`);
  return Promise.resolve();
}

/** `lpwd`: this side's current folder. */
export function lpwdCommand(_args: string[], { stdout }: FolderIo): Promise<void> {
  stdout.write(`${printable(Deno.cwd())}\n`);
  return Promise.resolve();
}

/** A local folder's entries as a long listing, links typed by what they lead to. */
async function localEntries(folder: string): Promise<LongEntry[]> {
  const entries: LongEntry[] = [];
  try {
    for await (const entry of Deno.readDir(folder)) {
      const info = await Deno.stat(join(folder, entry.name)).catch(() => undefined);
      if (!info || !(info.isFile || info.isDirectory)) continue;
      const type: EntryType = info.isDirectory ? "folder" : "file";
      const size = type === "file" ? info.size : undefined;
      entries.push({ path: entry.name, type, size, modified: info.mtime?.getTime() });
    }
  } catch (error) {
    throw new LocalFileError(
      `Cannot list the local folder ${quote(folder)}: ${describeError(error)}`,
    );
  }
  return entries.sort((a, b) => compareCodePoints(a.path, b.path));
}

function usage(text: string): never {
  throw new UsageError(`Usage: ${text}`);
}
