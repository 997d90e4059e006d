/**
 * One upload in progress, as the file store hands it to `put` and `replace`: an
 * {@linkcode AtomicFile} whose failures become refusals the client can be told about.
 *
 * @module
 */

import type { AtomicFile } from "../common/atomic_file.ts";
import { RefusalError } from "../common/errors.ts";
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
  async write(chunk: Uint8Array): Promise<void> {
    try {
      await this.#file.write(chunk);
    } catch (error) {
      throw new RefusalError(`Cannot store ${quote(this.name)}: ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  /**
   * Flushes the file to disk and publishes it under its name: refusing if the name
   * is taken by then, or (for a replace) renaming it over the old file.
   */
  async commit(): Promise<void> {
    try {
      await this.#file.commit({ replace: this.#replace });
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
