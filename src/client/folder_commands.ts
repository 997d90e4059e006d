/**
 * The client's side of the folder commands (PROTOCOL.md §11–14): current folder,
 * long listings, hashes and changes on the server. Each asks for the extension it
 * needs first, so a base-protocol server hears only `feat`, and the user one sentence
 * saying the server lacks it. The {@linkcode Client} methods of the same names run
 * these on their session.
 *
 * @module
 */

import { ProtocolError, UsageError } from "../common/errors.ts";
import { quote } from "../common/text.ts";
import type { CommandOf, Verb } from "../protocol/commands.ts";
import { type LongEntry, parseLongListing } from "../protocol/long_listing.ts";
import { parseFolder } from "../protocol/paths.ts";
import type { DigestName, Vouch } from "../common/digest.ts";
import { isTrailer, parseTrailer } from "../protocol/trailers.ts";
import { filePath, joinRemote, type RemotePath } from "./remote_paths.ts";

/** What the folder commands need of a session; a {@linkcode Client} provides it. */
export interface FolderSession {
  /** Throws `UnsupportedError` unless the server agreed to `feature`. */
  require(feature: string): Promise<void>;
  /** What a path the user typed names on the server. */
  remote(typed: string): Promise<RemotePath>;
  /** Sends a command answered on the control connection; returns the `ok` text. */
  ask<V extends Verb>(command: CommandOf<V>): Promise<string>;
  /** Runs a listing command; returns the listing's text. */
  listing<V extends "ls" | "list" | "tree">(command: CommandOf<V>): Promise<string>;
  /** The session's digest, as agreed so far. */
  digest(): DigestName;
}

/** The wire path of the folder to list, if one was named: `undefined` lists the current one. */
export async function listedFolder(
  session: FolderSession,
  path: string | undefined,
): Promise<string | undefined> {
  return path === undefined ? undefined : (await session.remote(path)).wire;
}

/** `list` or `tree` of a folder (`list-long` extension). */
export async function longListing(
  session: FolderSession,
  { verb, path }: { verb: "list" | "tree"; path?: string },
): Promise<LongEntry[]> {
  await session.require("list-long");
  const folder = await listedFolder(session, path);
  return parseLongListing(await session.listing({ verb, path: folder }));
}

/**
 * Moves to the folder `path` names, or asks where the session is (`path` extension);
 * returns the folder the server answered, as segments.
 */
export async function changeFolder(
  session: FolderSession,
  { path, cwd }: { path: string | undefined; cwd: readonly string[] },
): Promise<string[]> {
  await session.require("path");
  const wire = path === undefined ? undefined : (await session.remote(path)).wire;
  // No wire path names the current folder itself (`.` is not allowed): ask where it is.
  if (path !== undefined && wire === undefined) return [...cwd];
  const text = await session.ask(wire === undefined ? { verb: "pwd" } : { verb: "cd", path: wire });
  const folder = parseFolder(text);
  if (typeof folder === "string") {
    throw new ProtocolError(`The server's answer to cd is malformed: ${folder}`);
  }
  return folder;
}

/**
 * The digest of a file on the server, worked out there (`hash` extension), in the
 * session's digest (PROTOCOL.md §14, §17).
 */
export async function hashOf(session: FolderSession, path: string): Promise<Vouch> {
  await session.require("hash");
  const text = await session.ask({ verb: "hash", path: filePath(await session.remote(path)) });
  const name = session.digest();
  if (!isTrailer(text, name)) {
    throw new ProtocolError(`The server's answer to hash is malformed: ${quote(text, 80)}`);
  }
  return { name, hex: parseTrailer(text, name) };
}

/** `mkdir`, `rmdir` or `rm` of `path` (`manage` extension). */
export async function changePath(
  session: FolderSession,
  { verb, path }: { verb: "mkdir" | "rmdir" | "rm"; path: string },
): Promise<void> {
  await session.require("manage");
  const remote = await session.remote(path);
  if (remote.wire === undefined) {
    throw new UsageError(`${quote(path)} is the current folder: change to another one first`);
  }
  await session.ask({ verb, path: verb === "rm" ? filePath(remote) : remote.wire });
}

/**
 * Renames `from` to `to` (`manage` extension): never over an existing name unless
 * `replace`. A `to` ending in `/` is a folder to move `from` into.
 */
export async function renamePath(
  session: FolderSession,
  paths: { from: string; to: string; replace: boolean },
): Promise<void> {
  await session.require("manage");
  const source = await session.remote(paths.from);
  const { to, replace } = paths;
  const into = to.endsWith("/") ? joinRemote(to, source.segments.at(-1) ?? "") : to;
  const from = source.wire;
  if (from === undefined) throw new UsageError(`${quote(paths.from)} is the current folder`);
  await session.ask({
    verb: replace ? "rename-over" : "rename",
    from: from.replace(/\/$/, ""),
    to: filePath(await session.remote(into)),
  });
}
