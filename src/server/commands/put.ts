/**
 * `put` and `replace`: receive the file's frames into a temp file until the client
 * ends them, store it atomically, then answer with a status frame on the same
 * connection (PROTOCOL.md §4.3–4.5, §12.2), or in a dialect without one, end the
 * server's stream. In a session that agreed `frames`, the file is a framed payload
 * (§16): its size is known (and checked) before any byte, and its end frame either
 * vouches for the bytes, which must then hash the same, or says why the client
 * stopped; then nothing is stored.
 *
 * @module
 */

import { createDigest, type Digest, type Vouch } from "../../common/digest.ts";
import { RefusalError, TransferError } from "../../common/errors.ts";
import { encodeFrame } from "../../protocol/field.ts";
import { PayloadDecoder } from "../../protocol/payload_decoder.ts";
import { formatStatus, parseEnd, sessionDigest } from "../../protocol/trailers.ts";
import type { Channel } from "../../transport/channel.ts";
import type { Watchdog } from "../../transport/deadline.ts";
import { Pump, receivePayload } from "../../transport/payload_pump.ts";
import {
  type CommandContext,
  dataReply,
  endUnvouched,
  type Outcome,
  type Reply,
  type TransferProgress,
} from "../command_context.ts";
import { failureOf } from "../failures.ts";
import type { Upload } from "../file_store.ts";
import { checkFreeSpace } from "../free_space.ts";

/**
 * Creates the temp file before the port is sent, so a folder that cannot be written
 * (or a name that exists) is a plain refusal. `replace` (the `replace` command) lets
 * the finished file take the place of an existing one.
 */
export async function putFile(
  context: CommandContext,
  name: string,
  options: { replace?: boolean } = {},
): Promise<Reply> {
  const upload = await context.store.beginUpload(context.target(name), options);
  return dataReply(
    (channel, watchdog, progress) =>
      receiveUpload(context, upload, channel, { watchdog, progress }),
    () => upload[Symbol.asyncDispose](),
  );
}

/** How a resumable upload (`reput`, PROTOCOL.md §19) starts, and what a cut does. */
export interface Resumption {
  /**
   * The client announced the file and where its bytes start: checks that against
   * what is held, readies the temp file, and returns the digest to go on with.
   */
  start(announced: { total: number; from: number }): Promise<Digest>;
  /** The connection was cut: keeps what arrived, for the client to resume. */
  cut(): Promise<void>;
}

/** Receives an upload's payload into `upload`, stores it, and answers with a status. */
export async function receiveUpload(
  context: CommandContext,
  upload: Upload,
  channel: Channel,
  { watchdog, progress, resumption }: {
    watchdog: Watchdog;
    progress: TransferProgress;
    resumption?: Resumption;
  },
): Promise<Outcome> {
  const framed = context.features.has("frames");
  const decoder = new PayloadDecoder(framed ? "framed" : "upload", {
    resumable: resumption !== undefined,
  });
  const space = new SpaceCheck(context);
  const name = sessionDigest(context.features);
  let digest = await createDigest(name);
  const pump = new Pump();
  let from = 0;
  try {
    let event = await channel.next(decoder);
    // A framed payload says its size first: it is checked before a byte of it comes.
    if (event.type === "size") {
      if (resumption) digest = await resumption.start(event);
      space.held = from = event.from;
      await space.allow(event.total - event.from);
      event = await channel.next(decoder);
    }
    // One frame from a ferry client; a base client may send several (PROTOCOL.md §4.3).
    for (; event.type === "payload"; event = await channel.next(decoder)) {
      if (!framed) await space.allow(event.length);
      await receivePayload(channel, decoder, upload, event.length, {
        digest,
        pump,
        offset: progress.bytes,
        onProgress: (moved) => {
          progress.bytes = moved;
          watchdog.kick();
        },
      });
      progress.bytes = space.received += event.length;
    }
    if (space.frames === 0) {
      throw new TransferError("The client closed the data connection before sending a file");
    }
    if (event.type === "frame") checkEnd(event.text, { name, hex: digest.hex() });
    watchdog.stop(); // Flushing to disk is local work: the client has nothing to do.
    const stored = await upload.commit();
    if (stored) context.digests.remember(stored, name, digest.hex());
  } catch (error) {
    // A lost connection cannot carry a status; anything else is answered, bugs too
    // (the client must not take silence for success), and bugs are then logged.
    if (error instanceof TransferError) {
      await resumption?.cut();
      throw error;
    }
    const failure = failureOf(error);
    await answerFailedUpload(context, channel, failure.message);
    if (failure.bug) throw error;
    return { bytes: progress.bytes, result: `failed: ${failure.message}` };
  }
  // Stored: a base client that closed without reading the status changes nothing.
  const hex = digest.hex();
  if (context.dialect.vouches) {
    await channel.write(encodeFrame(formatStatus({ ok: true, hex }, name))).catch(() => {});
  }
  await endUnvouched(context, channel);
  // As `reget` logs it: an operator reading "ok" with fewer bytes than the file sees why.
  const resumed = from > 0 ? ` (resumed at ${from})` : "";
  return { bytes: progress.bytes, result: `ok: ${name} ${hex}${resumed}` };
}

/**
 * A framed upload's end frame: the client's digest of what it sent must be that of
 * what arrived, and an `error` means the client stopped (its file changed, say).
 */
function checkEnd(text: string, received: Vouch): void {
  const end = parseEnd(text, received.name);
  if (!end.ok) throw new RefusalError(`The client stopped sending: ${end.message}`);
  if (end.hex !== received.hex) {
    throw new RefusalError(
      `Upload is corrupt: the client sent ${received.name} ${end.hex} but the bytes hash to ${received.hex}`,
    );
  }
}

/**
 * The size cap and free-space floor, checked as frames arrive. Free space is read
 * again only every 16 MiB, so a file sent in 64 KiB frames costs a few reads, not
 * thousands.
 */
class SpaceCheck {
  static readonly EVERY = 16 << 20;
  /** Bytes of the file the server holds already (a resumed upload): they count to the cap. */
  held = 0;
  total = 0;
  frames = 0;
  /** Payload bytes that arrived whole, frame by frame. */
  received = 0;
  #context: CommandContext;
  #unchecked = 0;

  constructor(context: CommandContext) {
    this.#context = context;
  }

  /** Refuses `length` bytes more if they break the cap or the floor. */
  async allow(length: number): Promise<void> {
    const { maxUploadBytes, minFreeBytes } = this.#context.limits;
    this.total += length;
    this.frames++;
    if (this.held + this.total > maxUploadBytes) {
      throw new RefusalError(
        `Upload of ${
          this.held + this.total
        } bytes exceeds this server's limit of ${maxUploadBytes} bytes`,
      );
    }
    this.#unchecked += length;
    if (this.frames > 1 && this.#unchecked < SpaceCheck.EVERY) return;
    await checkFreeSpace(this.#context.store.root, {
      bytes: this.#unchecked,
      keepFree: minFreeBytes,
    });
    this.#unchecked = 0;
  }
}

/**
 * Sends an `error` status (in a dialect that has one) and stops sending. What the
 * client still sends is read and discarded until it closes (the data connection's
 * close-after-peer): closing with unread bytes would reset the connection and could
 * destroy the status unread.
 */
async function answerFailedUpload(
  context: CommandContext,
  channel: Channel,
  message: string,
): Promise<void> {
  try {
    if (context.dialect.vouches) {
      await channel.write(encodeFrame(formatStatus({ ok: false, message })));
    }
    await channel.closeWrite();
  } catch {
    // The client is gone: this upload is over either way.
  }
}
