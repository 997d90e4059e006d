/**
 * A download's partial file (PROTOCOL.md §19): the bytes so far, in a hidden temp file
 * beside the destination whose name follows from the destination's, so that `get` of
 * the same file again finds it; and beside it a small `.json` that says which file on
 * the server they are of (its path, size and version). A cut transfer leaves both; the
 * next `get` continues from the end of the bytes if the server agrees they are the
 * first bytes of the same version, and starts over otherwise. The partial is locked
 * while a download uses it, so two at once cannot mix their bytes. Nothing appears
 * under the destination's name until the whole file arrived and was verified.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { AtomicFile } from "../common/atomic_file.ts";
import { createDigest, type Digest, type DigestName } from "../common/digest.ts";
import { LocalFileError } from "../common/errors.ts";
import { snapshotKey, snapshotOf } from "../common/file_snapshot.ts";
import {
  checkpointKey,
  counted,
  HashCheckpoints,
  type TrackedDigest,
} from "../common/hash_checkpoints.ts";
import { quote } from "../common/text.ts";
import { tidyDownloads } from "./local_files.ts";

/** What the partial's bytes are of, as the server described the file. */
export interface PartialInfo {
  /** The file's path on the server, as sent. */
  remote: string;
  /** The whole file's size, once announced. */
  size?: number;
  /** The server's name for the file's version, once announced. */
  version?: string;
}

const PREFIX = ".ferry-partial-";

/** The partial file and its description for a download to `destination`. */
export async function partialPaths(destination: string): Promise<{ data: string; info: string }> {
  const digest = await createDigest("sha256");
  digest.update(new TextEncoder().encode(basename(destination)));
  const stem = join(dirname(destination), `${PREFIX}${digest.hex().slice(0, 32)}`);
  return { data: `${stem}.part`, info: `${stem}.json` };
}

/** One download's partial file, held (and locked) while the download runs. */
export class PartialDownload implements AsyncDisposable {
  readonly file: AtomicFile;
  readonly infoPath: string;
  /** What the bytes there are of, if they were described. */
  info: PartialInfo | undefined;
  /** Bytes there when it was opened. */
  readonly held: number;
  #keep = true;
  #running: TrackedDigest | undefined;

  private constructor(file: AtomicFile, infoPath: string, held: number, info?: PartialInfo) {
    this.file = file;
    this.infoPath = infoPath;
    this.held = held;
    this.info = info;
  }

  /** Opens (or creates) the partial file for `destination`, locked. */
  static async open(destination: string): Promise<PartialDownload> {
    await tidyDownloads(dirname(destination));
    const paths = await partialPaths(destination);
    const file = await AtomicFile.reopen(destination, paths.data, { lock: true, create: true })
      .catch((error) => {
        if (!(error instanceof Deno.errors.Busy)) throw error;
        throw new LocalFileError(`Another download to ${quote(destination)} is under way`);
      });
    const held = (await file.stat()).size;
    const info = held > 0 ? await readInfo(paths.info) : undefined;
    return new PartialDownload(file, paths.info, info ? held : 0, info);
  }

  /**
   * The digest `name` (the session's) of the bytes held: the hash state this process
   * kept when it last wrote them, if the file is as it left it, else read back from
   * the file.
   */
  async digest(name: DigestName): Promise<Digest> {
    const state = WRITTEN.nearest(
      writtenKey(name, this.file.tempPath, await this.file.stat()),
      this.held,
    );
    if (state?.offset === this.held) return state.digest;
    const digest = await createDigest(name);
    const read = await this.file.digestRange(digest, { from: 0, length: this.held });
    if (read !== this.held) throw new LocalFileError(`${quote(this.file.tempPath)} shrank`);
    return digest;
  }

  /**
   * Counts `digest` (the hash state of the first `offset` bytes) on as the bytes after
   * them are written, for {@linkcode remember}.
   */
  track(digest: Digest, offset: number): TrackedDigest {
    return this.#running = counted(digest, offset);
  }

  /**
   * Keeps the hash state of every byte written so far (in the digest `name`, the
   * session's), for a resume in this run, if the file holds exactly those bytes (a
   * write under way when the transfer was cut may have failed).
   */
  async remember(name: DigestName): Promise<void> {
    const running = this.#running;
    const info = await this.file.stat().catch(() => undefined);
    if (!running || info?.size !== running.offset) return;
    WRITTEN.remember(writtenKey(name, this.file.tempPath, info), {
      offset: info.size,
      digest: running,
    });
  }

  /** Starts again from `from` bytes (0: nothing), described by `info`. */
  async restart(from: number, info: PartialInfo): Promise<void> {
    await this.file.truncate(from);
    await this.describe(info);
  }

  /** Writes down what the bytes are of, so a later `get` knows. */
  async describe(info: PartialInfo): Promise<void> {
    this.info = info;
    await Deno.writeTextFile(`${this.infoPath}.new`, JSON.stringify(info));
    await Deno.rename(`${this.infoPath}.new`, this.infoPath);
  }

  /** Publishes the file under the destination's name (see `AtomicFile.commit`). */
  async commit(options: { replace?: boolean } = {}): Promise<void> {
    await this.file.commit(options);
    this.#keep = false;
    await Deno.remove(this.infoPath).catch(() => {});
  }

  /** Makes disposing remove the partial instead of keeping it (its bytes are no good). */
  discard(): void {
    this.#keep = false;
  }

  /**
   * Keeps the partial for a later `get` (unless discarded or committed, or it holds
   * nothing: a refused `get` leaves no trace), and unlocks it.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#keep && (await this.file.stat().catch(() => undefined))?.size) {
      return this.file.release();
    }
    await this.file[Symbol.asyncDispose]();
    await Deno.remove(this.infoPath).catch(() => {});
  }
}

/** Hash states of the partial files this process wrote, by {@linkcode writtenKey}. */
const WRITTEN = new HashCheckpoints({ maxFiles: 16 });

/** A partial file as it is: a state kept for it holds while nothing else wrote to it. */
function writtenKey(name: DigestName, path: string, info: Deno.FileInfo): string | undefined {
  const version = snapshotKey(snapshotOf(info));
  return checkpointKey(name, version && `${path}\n${version}`);
}

async function readInfo(path: string): Promise<PartialInfo | undefined> {
  try {
    const info: Partial<PartialInfo> = JSON.parse(await Deno.readTextFile(path));
    if (typeof info.remote !== "string") return undefined;
    const size = Number.isSafeInteger(info.size) ? info.size : undefined;
    const version = typeof info.version === "string" ? info.version : undefined;
    return { remote: info.remote, size, version };
  } catch {
    return undefined; // Undescribed bytes are of no known file: start over.
  }
}
