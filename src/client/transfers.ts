/**
 * The client's half of each data connection, as twins: {@linkcode receiveFile}
 * takes a payload and its trailer, {@linkcode sendFile} sends one while listening
 * for the server's status (which can arrive mid-upload), and
 * {@linkcode receiveListing} takes a listing. Each decides what the answer (or its
 * absence, from a base-protocol server) means. In a session that agreed `frames`, a
 * file either way is a framed payload (PROTOCOL.md §16), whose end frame can also say
 * that the sender stopped.
 *
 * @module
 */

import { createDigest, type DigestName } from "../common/digest.ts";
import {
  FileChangedError,
  IntegrityError,
  ProtocolError,
  RemoteError,
  TransferError,
  UnverifiedError,
} from "../common/errors.ts";
import { describeError, printable, quote } from "../common/text.ts";
import { encodeFrame } from "../protocol/field.ts";
import { MAX_LISTING_BYTES } from "../protocol/listing.ts";
import { PayloadDecoder, type PayloadEvent } from "../protocol/payload_decoder.ts";
import {
  formatTrailer,
  parseEnd,
  parseStatus,
  parseTrailer,
  type PutStatus,
} from "../protocol/trailers.ts";
import type { Channel } from "../transport/channel.ts";
import {
  type ByteSink,
  fileSource,
  Pump,
  receivePayload,
  sendPayload,
} from "../transport/payload_pump.ts";

/** Called as payload bytes move: how many so far. */
export type OnBytes = (bytes: number) => void;

/** What a received file turned out to be. */
export interface Received {
  bytes: number;
  /** The session's digest (PROTOCOL.md §17), which the trailer names too. */
  digest: DigestName;
  /** The digest of what arrived, in hex. */
  hex: string;
  /** What the server's trailer declared; `undefined` from a server that sends none. */
  declared: string | undefined;
}

/** Reads the length field that starts a payload. */
async function payloadStart(channel: Channel, decoder: PayloadDecoder): Promise<number> {
  const event = await channel.next(decoder);
  if (event.type !== "payload") {
    throw new TransferError("The server closed the data connection early");
  }
  return event.length;
}

/**
 * Receives a `get` payload into `sink`, then the trailer if the server sends one. A
 * base-protocol server may send the file as several frames; `onLength` hears the
 * length each time more is announced, before its bytes are written. `framed`: the
 * session agreed `frames`, so the payload is framed and always ends in a verdict.
 */
export async function receiveFile(
  channel: Channel,
  sink: ByteSink,
  { onLength, onProgress, framed, digest: name }: {
    onLength: (length: number) => void;
    onProgress: OnBytes;
    framed: boolean;
    /** The session's digest: what the trailer or end frame names. */
    digest: DigestName;
  },
): Promise<Received> {
  const decoder = new PayloadDecoder(framed ? "framed" : "download", { digest: name });
  const digest = await createDigest(name);
  const pump = new Pump();
  let bytes = 0;
  let event: PayloadEvent = await channel.next(decoder);
  if (event.type === "size") {
    onLength(event.total);
    event = await channel.next(decoder);
  } else if (event.type !== "payload") {
    throw new TransferError("The server closed the data connection early");
  }
  for (; event.type === "payload"; event = await channel.next(decoder)) {
    if (!framed) onLength(bytes + event.length);
    await receivePayload(channel, decoder, sink, event.length, {
      digest,
      pump,
      offset: bytes,
      onProgress,
    });
    bytes += event.length;
  }
  const text = event.type === "frame" ? event.text : undefined;
  if (!framed) {
    return { bytes, digest: name, hex: digest.hex(), declared: text && parseTrailer(text, name) };
  }
  // The decoder ends a framed payload only with its end frame.
  const end = parseEnd(text!, name);
  // The server stopped (the file changed, say): its sentence is the reason.
  if (!end.ok) throw new TransferError(printable(end.message));
  return { bytes, digest: name, hex: digest.hex(), declared: end.hex };
}

/** What a session takes as the server's word on a transfer. */
export interface Expectation {
  /** The file's name on the server, for messages. */
  name: string;
  /**
   * The server's trailers and statuses always come: it answered `feat` (a ferry
   * server) and speaks a dialect that has them.
   */
  vouches: boolean;
  /** Every transfer must be vouched for (`--verify`). */
  verify: boolean;
}

/** Throws unless `received` may be kept: whole, and vouched for if it must be. */
export function checkDownload(received: Received, { name, vouches, verify }: Expectation): void {
  if (received.declared === undefined && vouches) {
    // A ferry server always sends its trailer: without it, the end was cut off.
    throw new TransferError(
      `The checksum of ${quote(name)} did not arrive, so the download was discarded`,
    );
  }
  if (received.declared !== undefined && received.declared !== received.hex) {
    throw new IntegrityError(
      `Download of ${quote(name)} is corrupt: the server sent ${received.digest} ` +
        `${received.declared} but the bytes hash to ${received.hex}`,
    );
  }
  if (received.declared === undefined && verify) {
    throw new UnverifiedError(
      `${quote(name)} was not verified (the server sent no checksum) and verification ` +
        "is required, so the download was discarded",
    );
  }
}

/** Throws unless an upload the server did (or did not) confirm counts as done. */
export function checkUpload(verified: boolean, { name, vouches, verify }: Expectation): void {
  if (!verified && vouches) {
    throw new TransferError(
      `The server's confirmation for ${quote(name)} did not arrive: it may not be stored`,
    );
  }
  if (!verified && verify) {
    throw new UnverifiedError(
      `${quote(name)} was sent but not verified (the server sent no confirmation) and ` +
        "verification is required",
    );
  }
}

/** Receives an `ls` payload: the listing's bytes. */
export async function receiveListing(channel: Channel, onProgress: OnBytes): Promise<Uint8Array> {
  const decoder = new PayloadDecoder("listing");
  const length = await payloadStart(channel, decoder);
  if (length > MAX_LISTING_BYTES) {
    throw new ProtocolError(
      `Listing of ${length} bytes exceeds the ${MAX_LISTING_BYTES}-byte limit`,
    );
  }
  const listing = new Uint8Array(length);
  let filled = 0;
  await receivePayload(
    channel,
    decoder,
    {
      write(chunk) {
        listing.set(chunk, filled);
        filled += chunk.byteLength;
        return Promise.resolve();
      },
    },
    length,
    { onProgress },
  );
  return listing;
}

/** How {@linkcode sendFile} sends. */
export interface SendFileOptions {
  onProgress: OnBytes;
  /** The session agreed `frames`: send a framed payload, which can end with an error. */
  framed: boolean;
  /** Throws if the file changed since it was opened (called for each chunk, and last). */
  check?: () => Promise<void>;
  /** The session's digest: what the end frame and the server's status name. */
  digest: DigestName;
}

/**
 * Sends a `put` payload while reading the status frame. The server may answer before
 * it has everything (a refusal mid-upload): then the send stops at once and the
 * server's reason is what the user hears. A file that changes while it is sent is
 * never vouched for: the server gets a short upload (base) or an `error` end frame
 * (framed), and keeps nothing.
 */
export async function sendFile(
  channel: Channel,
  file: Deno.FsFile,
  size: number,
  { onProgress, framed, check, digest: name }: SendFileOptions,
): Promise<{ hex: string; verified: boolean }> {
  const status = readStatus(channel, name).then(
    (answer) => ({ answer }),
    (error: unknown) => ({ error }),
  );
  const digest = await createDigest(name);
  // The end of the stream after the payload tells the server the file is whole: a
  // base client sends it in several frames, so one frame alone says nothing.
  const sending = sendPayload(channel, fileSource(file), size, {
    digest,
    onProgress,
    check,
    tail: framed ? () => encodeFrame(formatTrailer(digest.hex(), name)) : undefined,
    framed: framed ? { words: describeError } : undefined,
  })
    .then(() => channel.closeWrite())
    .then(
      () => ({ hex: digest.hex() }),
      (error: unknown) => ({ error }),
    );
  const first = await Promise.race([sending, status.then(() => "answered" as const)]);
  if (first !== "answered" && "error" in first) {
    // Let the server see the end of the stream, so it answers or closes instead of waiting.
    await channel.closeWrite();
  }
  const reply = await status;
  if (first === "answered") channel.close(); // Ends a send still under way.
  const sent = await sending;
  // This side stopped the upload: the server's answer to that adds nothing.
  if ("error" in sent && sent.error instanceof FileChangedError) throw sent.error;
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
  if (answer && answer.hex !== sent.hex) {
    throw new IntegrityError(
      `Upload is corrupt: the server stored ${name} ${answer.hex} but ${sent.hex} was sent`,
    );
  }
  return { hex: sent.hex, verified: answer !== undefined };
}

/** Reads a `put` status frame; `undefined` if the server closed cleanly without one. */
async function readStatus(channel: Channel, digest: DigestName): Promise<PutStatus | undefined> {
  const event = await channel.next(new PayloadDecoder("status"));
  return event.type === "frame" ? parseStatus(event.text, digest) : undefined;
}
