/**
 * One upload in progress, as the file store hands it to `put` and `replace`: an
 * {@linkcode AtomicFile} whose failures become refusals the client can be told about.
 *
 * @module
 */

import type { AtomicFile } from "../common/atomic_file.ts";
import type { Digest } from "../common/digest.ts";
import { RefusalError } from "../common/errors.ts";
import { type FileSnapshot, snapshotOf } from "../common/file_snapshot.ts";
import { describeError, quote } from "../common/text.ts";

/** An upload under way; disposing it without committing removes the temp file. */
export class Upload implements AsyncDisposable {
  readonly name: string;
  #file: AtomicFile;
  #replace: boolean;

  constructor(name: string, file: AtomicFile, replace = false) {
    this.name = name;
    this.#file = file;
    this.#replace = replace;
  }

  /** Writes all of `chunk` to the temp file. */
  write(chunk: Uint8Array): Promise<void> {
    return this.#storing(() => this.#file.write(chunk));
  }

  /** Where the bytes are until they are committed. */
  get tempPath(): string {
    return this.#file.tempPath;
  }

  /** The temp file's size and modification time so far. */
  async written(): Promise<{ size: number; mtime: number | null }> {
    const info = await this.#file.stat();
    return { size: info.size, mtime: info.mtime?.getTime() ?? null };
  }

  /** Starts the file again from its first `length` bytes (a resumed upload's start). */
  truncate(length: number): Promise<void> {
    return this.#storing(() => this.#file.truncate(length));
  }

  /** Feeds `digest` the first `length` bytes received, read back from the temp file. */
  digestPrefix(digest: Digest, length: number): Promise<number> {
    return this.#storing(() => this.#file.digestRange(digest, { from: 0, length }));
  }

  /** Leaves the temp file in place, closed, for a resumed upload to take up (PROTOCOL.md §19). */
  release(): void {
    this.#file.release();
  }

  async #storing<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new RefusalError(`Cannot store ${quote(this.name)}: ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  /**
   * Flushes the file to disk and publishes it under its name: refusing if the name
   * is taken by then, or (for a replace) renaming it over the old file. Returns the
   * published file's snapshot, for the digest cache, if it is still the very file
   * written (same inode, size and modification time: the link moved only its change
   * time); `undefined` if something touched it in between.
   */
  async commit(): Promise<FileSnapshot | undefined> {
    try {
      const written = snapshotOf(await this.#file.stat());
      await this.#file.commit({ replace: this.#replace });
      const stored = snapshotOf(Deno.lstatSync(this.#file.path));
      const same = stored.dev === written.dev && stored.ino === written.ino &&
        stored.size === written.size && stored.mtime === written.mtime;
      return same ? stored : undefined;
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) {
        throw new RefusalError(`${quote(this.name)} already exists on the server`);
      }
      if (error instanceof Deno.errors.IsADirectory) {
        throw new RefusalError(`${quote(this.name)} is a folder, which is never replaced`);
      }
      throw new RefusalError(`Cannot store ${quote(this.name)}: ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#file[Symbol.asyncDispose]();
  }
}
