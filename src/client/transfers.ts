/**
 * The client's half of each data connection, as twins: {@linkcode receiveFile}
 * takes a payload and its trailer, {@linkcode sendFile} sends one while listening
 * for the server's status (which can arrive mid-upload), and
 * {@linkcode receiveListing} takes a listing. Whether what arrived may be kept, or
 * an upload counts as done, is for `verdicts.ts` to say. In a session that agreed
 * `frames`, a file either way is a framed payload (PROTOCOL.md §16), whose end frame
 * can also say that the sender stopped.
 *
 * @module
 */

import { createDigest, type Digest, type DigestName } from "../common/digest.ts";
import {
  FileChangedError,
  IntegrityError,
  ProtocolError,
  RemoteError,
  SenderStoppedError,
  TransferError,
} from "../common/errors.ts";
import { describeError, printable, quote } from "../common/text.ts";
import { encodeFrame } from "../protocol/field.ts";
import { MAX_LISTING_BYTES } from "../protocol/listing.ts";
import { type Kept, parseKept } from "../protocol/resume.ts";
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

/** What a resumed `get`'s announcement said (PROTOCOL.md §19). */
export interface Announced {
  total: number;
  from: number;
  version?: string;
}

/** Options for {@linkcode receiveFile}. */
export interface ReceiveFileOptions {
  /** Hears the file's length, each time more is announced, before its bytes are written. */
  onLength: (length: number) => void;
  onProgress: OnBytes;
  /** The session agreed `frames`: the payload is framed and always ends in a verdict. */
  framed: boolean;
  /** The session's digest (PROTOCOL.md §17): what the trailer or end frame names. */
  digest: DigestName;
  /**
   * A `reget` (§19): hears where the server starts and returns the digest of the
   * bytes before that, in the session's digest (after readying the sink to take the
   * rest). Default: a `get`.
   */
  resume?: (announced: Announced) => Promise<Digest>;
}

/**
 * Receives a `get` payload into `sink`, then the trailer if the server sends one. A
 * base-protocol server may send the file as several frames. In a resumed transfer the
 * bytes count from where the server started, and the digest is of the whole file.
 */
export async function receiveFile(
  channel: Channel,
  sink: ByteSink,
  { onLength, onProgress, framed, digest: name, resume }: ReceiveFileOptions,
): Promise<Received & { from: number }> {
  const decoder = new PayloadDecoder(framed ? "framed" : "download", {
    resumable: resume !== undefined,
    digest: name,
  });
  let digest = await createDigest(name);
  const pump = new Pump();
  let bytes = 0;
  let event: PayloadEvent = await channel.next(decoder);
  if (event.type === "size") {
    onLength(event.total);
    const { type: _, ...announced } = event;
    if (resume) digest = await resume(announced);
    bytes = event.from;
    event = await channel.next(decoder);
  } else if (event.type !== "payload") {
    throw new TransferError("The server closed the data connection early");
  }
  const from = bytes;
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
    return {
      bytes,
      from,
      digest: name,
      hex: digest.hex(),
      declared: text && parseTrailer(text, name),
    };
  }
  // The decoder ends a framed payload only with its end frame.
  const end = parseEnd(text!, name);
  // The server stopped (the file changed, say): its sentence is the reason.
  if (!end.ok) throw new SenderStoppedError(printable(end.message));
  return { bytes, from, digest: name, hex: digest.hex(), declared: end.hex };
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
  /**
   * A resumed upload (`reput`, §19): the server holds the first `from` bytes, whose
   * digest (the session's) is `digest`; the file is positioned there. Default: all of it.
   */
  resume?: { from: number; digest: Digest };
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
  { onProgress, framed, check, digest: name, resume }: SendFileOptions,
): Promise<{ hex: string; verified: boolean }> {
  const status = readStatus(channel, name).then(
    (answer) => ({ answer }),
    (error: unknown) => ({ error }),
  );
  const digest = resume?.digest ?? await createDigest(name);
  const from = resume?.from ?? 0;
  // The end of the stream after the payload tells the server the file is whole: a
  // base client sends it in several frames, so one frame alone says nothing.
  const sending = sendPayload(channel, fileSource(file), size - from, {
    digest,
    offset: from,
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

/** Reads the frame that starts a `reput`'s data connection: what the server holds (§19). */
export async function receiveKept(channel: Channel): Promise<Kept> {
  const event = await channel.next(new PayloadDecoder("status"));
  if (event.type !== "frame") {
    throw new TransferError("The server closed the data connection before saying what it holds");
  }
  const kept = parseKept(event.text);
  if (!kept) {
    throw new ProtocolError(
      `Cannot read ${quote(event.text, 80)}: expected "from <bytes> <digest>"`,
    );
  }
  return kept;
}

/** Reads a `put` status frame; `undefined` if the server closed cleanly without one. */
async function readStatus(channel: Channel, digest: DigestName): Promise<PutStatus | undefined> {
  const event = await channel.next(new PayloadDecoder("status"));
  return event.type === "frame" ? parseStatus(event.text, digest) : undefined;
}
