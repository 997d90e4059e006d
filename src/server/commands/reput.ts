/**
 * `reput KEY NAME` (PROTOCOL.md §19): a `put` that the server keeps if it is cut, bound
 * to the client's key, what it authenticated as and the target, so that the same
 * client can go on from where it stopped. The data connection starts with the server's
 * word on what it holds (`from N <digest>`, or `from 0`); the client's announcement then
 * says where its bytes start: there, or at 0 to send it all again. Nothing appears
 * under the name until the whole file arrived and hashes as the client says it should.
 *
 * The `from` digest is the session's (PROTOCOL.md §17). The hash state of the kept
 * bytes stays in memory while the server runs, so a resume in a session with the same
 * digest reads nothing back; after a restart, or in a session that agreed another
 * digest, the kept bytes are read once to hash them.
 *
 * @module
 */

import { createDigest, type Digest, type DigestName } from "../../common/digest.ts";
import { counted, type TrackedDigest } from "../../common/hash_checkpoints.ts";
import { RefusalError } from "../../common/errors.ts";
import { encodeFrame } from "../../protocol/field.ts";
import { formatKept, type ReputArguments } from "../../protocol/resume.ts";
import { sessionDigest } from "../../protocol/trailers.ts";
import { type CommandContext, dataReply, type Reply } from "../command_context.ts";
import type { Upload } from "../file_store.ts";
import { type KeptUpload, keptUploadId } from "../kept_uploads.ts";
import { receiveUpload, type Resumption } from "./put.ts";

/** Takes up what is kept for this client and target (or starts afresh) before the port is sent. */
export async function reputFile(
  context: CommandContext,
  { key, name }: ReputArguments,
): Promise<Reply> {
  const target = context.target(name);
  const path = await context.store.checkCanCreate(target);
  const id = await keptUploadId({ key, owner: context.owner, path });
  const kept = await context.resume.kept.take(id);
  const release = context.resume.kept.claim(id);
  let upload: Upload;
  try {
    upload = kept
      ? await context.store.resumeUpload(target, kept.tempPath).catch(async (error) => {
        await context.resume.kept.discard(kept);
        throw error;
      })
      : await context.store.beginUpload(target);
  } catch (error) {
    release();
    throw error;
  }
  const held = new Held(context, upload, { id, kept });
  return dataReply(
    async (channel, watchdog, progress) => {
      const { bytes, digest } = await held.state();
      await channel.write(
        encodeFrame(formatKept({ bytes, digest: bytes > 0 ? digest.copy().hex() : undefined })),
      );
      const outcome = await receiveUpload(context, upload, channel, {
        watchdog,
        progress,
        resumption: held,
      });
      held.settled = true; // Stored, or refused: nothing is kept either way.
      return outcome;
    },
    // Never opened, or cut: what is held stays for the client (`cut` kept it already).
    async () => {
      try {
        if (!held.settled) await held.cut();
        await upload[Symbol.asyncDispose]();
      } finally {
        release();
      }
    },
  );
}

/** What the server holds of one `reput`, and what becomes of it. */
class Held implements Resumption {
  #context: CommandContext;
  #upload: Upload;
  #id: string;
  #kept: KeptUpload | undefined;
  /** The session's digest: what the kept bytes are vouched for with. */
  #name: DigestName;
  /** The file's size, once announced (or as kept). */
  #size: number | undefined;
  /** The digest of the bytes held, counting them as it is fed. */
  #digest: TrackedDigest | undefined;
  /** Kept again, or handed to `receiveUpload` to store: nothing more to do. */
  settled = false;

  constructor(
    context: CommandContext,
    upload: Upload,
    { id, kept }: { id: string; kept: KeptUpload | undefined },
  ) {
    this.#context = context;
    this.#upload = upload;
    this.#id = id;
    this.#kept = kept;
    this.#name = sessionDigest(context.features);
    this.#size = kept?.size;
  }

  /** The bytes held and their digest: kept in memory, or read back (after a restart). */
  async state(): Promise<{ bytes: number; digest: Digest }> {
    if (!this.#digest) {
      const written = this.#kept ? await this.#upload.written() : { size: 0, mtime: null };
      const bytes = written.size;
      let digest = this.#kept ? stateFor(this.#kept, written, this.#name)?.copy() : undefined;
      if (!digest) {
        digest = await createDigest(this.#name);
        await this.#upload.digestPrefix(digest, bytes);
      }
      this.#digest = counted(digest, bytes);
    }
    return { bytes: this.#digest.offset, digest: this.#digest };
  }

  async start({ total, from }: { total: number; from: number }): Promise<Digest> {
    const { bytes } = await this.state();
    if (from !== 0 && from !== bytes) {
      throw new RefusalError(`Cannot resume at byte ${from}: the server holds ${bytes}`);
    }
    if (from > 0 && total !== this.#size) {
      throw new RefusalError(
        `Cannot resume a ${total}-byte file where a ${this.#size}-byte one was started`,
      );
    }
    this.#size = total;
    if (from === 0 && bytes > 0) {
      await this.#upload.truncate(0);
      this.#digest = counted(await createDigest(this.#name), 0);
    }
    return this.#digest!;
  }

  async cut(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    const size = this.#size;
    if (size === undefined) return; // Nothing announced, nothing kept before: nothing to keep.
    const written = await this.#upload.written().catch(() => ({ size: 0, mtime: null }));
    this.#upload.release();
    // A state counts what was hashed; it holds for the file only if all of that was written.
    const state = this.#digest
      ? (this.#digest.offset === written.size ? this.#digest.copy() : undefined)
      : this.#kept && stateFor(this.#kept, written, this.#name);
    await this.#context.resume.kept.keep({
      id: this.#id,
      tempPath: this.#upload.tempPath,
      size,
      bytes: written.size,
      digest: state ? { name: this.#name, state, mtime: written.mtime } : undefined,
    });
  }
}

/** The kept hash state, if it is of digest `name` and the temp file is as it was kept. */
function stateFor(
  kept: KeptUpload,
  written: { size: number; mtime: number | null },
  name: DigestName,
): Digest | undefined {
  const same = kept.bytes === written.size && kept.digest?.mtime === written.mtime &&
    kept.digest.name === name;
  return same ? kept.digest?.state : undefined;
}
