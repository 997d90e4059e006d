/**
 * The client's half of a `put` data connection: send the payload while listening
 * for the server's status, since a refusal can arrive mid-upload, and decide what the
 * answer (or its absence) means.
 *
 * @module
 */

import { IntegrityError, RemoteError, TransferError } from "./errors.ts";
import { MAX_MESSAGE_BYTES, parseStatus, type PutStatus } from "./protocol.ts";
import { describeError, printable } from "./text.ts";
import { FrameReader } from "./wire.ts";
import { closeQuietly, sendPayload } from "./data_channel.ts";

/**
 * Sends a `put` payload while reading the status frame. The server may answer before
 * it has everything (a refusal mid-upload): then the send stops at once and the
 * server's reason is what the user hears.
 */
export async function sendWithStatus(
  data: Deno.TcpConn,
  file: Deno.FsFile,
  size: number,
  onProgress: (bytes: number) => void,
): Promise<{ sha256: string; verified: boolean }> {
  const reader = new FrameReader(data.readable);
  const writer = data.writable.getWriter();
  const status = readStatus(reader).then(
    (answer) => ({ answer }),
    (error: unknown) => ({ error }),
  );
  const sending = sendPayload(writer, file, size, { onProgress }).then(
    (sha256) => ({ sha256 }),
    (error: unknown) => ({ error }),
  );
  const first = await Promise.race([sending, status.then(() => "answered" as const)]);
  if (first !== "answered" && "error" in first) {
    // Let the server see the end of the stream, so it answers or closes instead of waiting.
    await data.closeWrite().catch(() => {});
  }
  const reply = await status;
  if (first === "answered") closeQuietly(data); // Ends a send still under way.
  const sent = await sending;
  const answer = "answer" in reply ? reply.answer : undefined;
  if (answer && !answer.ok) throw new RemoteError(printable(answer.message));
  if ("error" in sent) throw sent.error;
  if ("error" in reply) {
    // Only a clean close where the status would start means "a server that sends none".
    throw new TransferError(
      `The upload was sent but the server's confirmation was cut off: ${
        describeError(reply.error)
      }`,
      { cause: reply.error },
    );
  }
  if (answer && answer.sha256 !== sent.sha256) {
    throw new IntegrityError(
      `Upload is corrupt: the server stored sha256 ${answer.sha256} but ${sent.sha256} was sent`,
    );
  }
  return { sha256: sent.sha256, verified: answer !== undefined };
}

/** Reads a `put` status frame; `undefined` if the server closed cleanly without one. */
async function readStatus(reader: FrameReader): Promise<PutStatus | undefined> {
  const frame = await reader.readFrame(MAX_MESSAGE_BYTES);
  return frame === null ? undefined : parseStatus(lenientUtf8.decode(frame));
}

// Lenient: a malformed status fails its own parser.
const lenientUtf8 = new TextDecoder();
