/**
 * What the server does for `ls`, `get` and `put`, each in one small function.
 * A handler throws {@linkcode RefusalError} to refuse before any data connection
 * exists; once the data connection is open it reports failures in its outcome.
 *
 * @module
 */

import { ProtocolError, RefusalError, TransferError } from "./errors.ts";
import { formatListing, formatStatus, formatTrailer, type PutStatus } from "./protocol.ts";
import { decodeField, encodeFrame, FrameReader } from "./wire.ts";
import { bytesSource, receivePayload, sendPayload, writeOrFail } from "./data_channel.ts";
import type { Outcome, SessionContext } from "./server_session.ts";

const encoder = new TextEncoder();

/** `ls`: one frame listing the folder. */
export async function handleList(context: SessionContext): Promise<Outcome> {
  const entries = await context.store.list();
  const listing = encoder.encode(formatListing(entries));
  await context.withDataConnection(async (conn, watchdog) => {
    const writer = conn.writable.getWriter();
    try {
      await sendPayload(writer, bytesSource(listing), listing.byteLength, {
        onProgress: () => watchdog.kick(),
        hash: false,
      });
    } finally {
      writer.releaseLock();
    }
  });
  return { bytes: listing.byteLength, result: `ok: ${entries.length} entries` };
}

/** `get`: one frame with the file's bytes, then the `sha256` trailer frame. */
export async function handleGet(context: SessionContext, name: string): Promise<Outcome> {
  const { file, size } = await context.store.openForReading(name);
  using _file = file;
  return await context.withDataConnection(async (conn, watchdog) => {
    const writer = conn.writable.getWriter();
    try {
      const sha256 = await sendPayload(writer, file, size, { onProgress: () => watchdog.kick() });
      await writeOrFail(writer, encodeFrame(formatTrailer(sha256)));
      return { bytes: size, result: `ok: sha256 ${sha256}` };
    } finally {
      writer.releaseLock();
    }
  });
}

/**
 * `put`: receive one frame into a temp file, store it atomically, then answer with
 * a status frame on the same connection. The temp file is created before the port is
 * sent, so a folder that cannot be written is a plain refusal.
 */
export async function handlePut(context: SessionContext, name: string): Promise<Outcome> {
  await using upload = await context.store.beginUpload(name);
  return await context.withDataConnection(async (conn, watchdog) => {
    const reader = new FrameReader(conn.readable);
    let size: number | undefined;
    try {
      const field = await reader.readField();
      if (field === null) {
        throw new TransferError("The client closed the data connection before sending a file");
      }
      size = decodeField(field);
      await checkUploadSize(context, size);
      const sha256 = await receivePayload(reader, size, (chunk) => upload.write(chunk), {
        onProgress: () => watchdog.kick(),
      });
      watchdog.stop(); // Flushing to disk is local work: the client has nothing to do.
      await upload.commit();
      await writeAll(conn, encodeFrame(formatStatus({ ok: true, sha256 })));
      return { bytes: size, result: `ok: sha256 ${sha256}` };
    } catch (error) {
      if (error instanceof TransferError) throw error;
      // Refusals and protocol errors are the client's to hear; anything else is a bug,
      // still reported (the client must not take silence for success), then logged.
      const expected = error instanceof RefusalError || error instanceof ProtocolError;
      const message = expected ? error.message : "Internal server error";
      await answerFailedUpload(conn, { ok: false, message });
      if (!expected) throw error;
      return { bytes: size, result: `failed: ${message}` };
    } finally {
      reader.releaseLock();
    }
  });
}

/** Refuses an upload over the size cap, or one that would leave too little disk free. */
async function checkUploadSize(context: SessionContext, size: number): Promise<void> {
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
 * discarded until it closes (see `withDataConnection`): closing with unread bytes
 * would reset the connection and could destroy the status before the client reads it.
 */
async function answerFailedUpload(conn: Deno.TcpConn, status: PutStatus): Promise<void> {
  try {
    await writeAll(conn, encodeFrame(formatStatus(status)));
    await conn.closeWrite();
  } catch {
    // The client is gone: this upload is over either way.
  }
}

async function writeAll(conn: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  const writer = conn.writable.getWriter();
  try {
    await writeOrFail(writer, bytes);
  } finally {
    writer.releaseLock();
  }
}
