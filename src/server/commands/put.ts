/**
 * `put`: receive one frame into a temp file, store it atomically, then answer with a
 * status frame on the same connection (PROTOCOL.md §4.3–4.5).
 *
 * @module
 */

import { createDigest } from "../../common/digest.ts";
import { RefusalError, TransferError } from "../../common/errors.ts";
import { encodeFrame } from "../../protocol/field.ts";
import { PayloadDecoder } from "../../protocol/payload_decoder.ts";
import { formatStatus } from "../../protocol/trailers.ts";
import type { Channel } from "../../transport/channel.ts";
import type { Watchdog } from "../../transport/deadline.ts";
import { receivePayload } from "../../transport/payload_pump.ts";
import { type CommandContext, dataReply, type Outcome, type Reply } from "../command_context.ts";
import { failureOf } from "../failures.ts";
import type { Upload } from "../file_store.ts";

/**
 * Creates the temp file before the port is sent, so a folder that cannot be written
 * (or a name that exists) is a plain refusal.
 */
export async function putFile(context: CommandContext, name: string): Promise<Reply> {
  const upload = await context.store.beginUpload(name);
  return dataReply(
    (channel, watchdog) => receiveUpload(context, upload, channel, watchdog),
    () => upload[Symbol.asyncDispose](),
  );
}

async function receiveUpload(
  context: CommandContext,
  upload: Upload,
  channel: Channel,
  watchdog: Watchdog,
): Promise<Outcome> {
  const decoder = new PayloadDecoder({ payload: true, frameAfter: false });
  let size: number | undefined;
  try {
    const event = await channel.next(decoder);
    if (event.type !== "payload") {
      throw new TransferError("The client closed the data connection before sending a file");
    }
    size = event.length;
    await checkUploadSize(context, size);
    const sha256 = await receivePayload(channel, decoder, upload, size, {
      digest: await createDigest("sha256"),
      onProgress: () => watchdog.kick(),
    });
    watchdog.stop(); // Flushing to disk is local work: the client has nothing to do.
    await upload.commit();
    await channel.write(encodeFrame(formatStatus({ ok: true, sha256 })));
    return { bytes: size, result: `ok: sha256 ${sha256}` };
  } catch (error) {
    // A lost connection cannot carry a status; anything else is answered, bugs too
    // (the client must not take silence for success), and bugs are then logged.
    if (error instanceof TransferError) throw error;
    const failure = failureOf(error);
    await answerFailedUpload(channel, failure.message);
    if (failure.bug) throw error;
    return { bytes: size, result: `failed: ${failure.message}` };
  }
}

/** Refuses an upload over the size cap, or one that would leave too little disk free. */
async function checkUploadSize(context: CommandContext, size: number): Promise<void> {
  const { maxUploadBytes, minFreeBytes } = context.limits;
  if (size > maxUploadBytes) {
    throw new RefusalError(
      `Upload of ${size} bytes exceeds this server's limit of ${maxUploadBytes} bytes`,
    );
  }
  await context.store.checkFreeSpace(size, minFreeBytes);
}

/**
 * Sends an `error` status and stops sending. What the client still sends is read and
 * discarded until it closes (the data connection's close-after-peer): closing with
 * unread bytes would reset the connection and could destroy the status unread.
 */
async function answerFailedUpload(channel: Channel, message: string): Promise<void> {
  try {
    await channel.write(encodeFrame(formatStatus({ ok: false, message })));
    await channel.closeWrite();
  } catch {
    // The client is gone: this upload is over either way.
  }
}
