/**
 * Many small files over the control connection alone (the `inline` extension,
 * PROTOCOL.md §18): `fetch` commands pipelined, up to {@linkcode FETCH_WINDOW} in
 * flight, each answer checked against its digest and written the way any download
 * is (a temp file, published only once whole and verified). A file the server finds
 * too large for an answer is handed back, to be fetched with `get`.
 *
 * @module
 */

import { createDigest, type DigestName } from "../common/digest.ts";
import { ProtocolError, RemoteError } from "../common/errors.ts";
import type { CommandOf } from "../protocol/commands.ts";
import { parseInlineAnswer } from "../protocol/inline.ts";
import type { Answer } from "./control.ts";
import { saveSmallDownload } from "./local_files.ts";
import { checkDownload, type Expectation } from "./verdicts.ts";

/**
 * Commands in flight at once: enough to keep the server busy while this side writes
 * the files that arrived (measured: 1000 files of 4 KiB, 2,360 files/s one at a time,
 * 6,090 with 16, 6,770 with 32, within the noise), few enough to bound what is
 * buffered (16 × 256 KiB).
 */
export const FETCH_WINDOW = 16;

/** One file to fetch: its path on the server as sent, and the local file to write. */
export interface FetchRequest {
  wire: string;
  /** Its name as the user gave it, for messages. */
  name: string;
  path: string;
  replace?: boolean;
  /** Gets the destination ready (its folders) just before the file is written. */
  prepare?(): Promise<void>;
}

/** What became of one request. */
export type FetchOutcome =
  | { type: "done"; bytes: number; hex: string; ms: number }
  /** Over the inline limit: get it with `get` instead. */
  | { type: "too-large"; size: number }
  | { type: "failed"; error: unknown };

/** What the session lends the fetches. */
export interface FetchSession {
  digest: DigestName;
  /** What the session takes as the server's word on a transfer of `name`. */
  expectation(name: string): Expectation;
  pipeline(
    commands: readonly CommandOf<"fetch">[],
    options: {
      window: number;
      use: (answer: Answer | RemoteError) => Promise<void>;
      signal?: AbortSignal;
    },
  ): Promise<void>;
}

/**
 * Fetches `requests` in order, telling `onOutcome` what became of each as it
 * happens. A refusal, a bad digest or a local problem costs that file only; a
 * broken session throws, the files not reached yet untold, as are those not asked
 * for once `signal` aborted.
 */
export async function fetchFiles(
  session: FetchSession,
  requests: readonly FetchRequest[],
  { onOutcome, window = FETCH_WINDOW, signal }: {
    onOutcome: (index: number, outcome: FetchOutcome) => void;
    /** Commands in flight at most. Default {@linkcode FETCH_WINDOW}. */
    window?: number;
    /** Stops sending more; the files whose answers were owed are still settled. */
    signal?: AbortSignal;
  },
): Promise<void> {
  let index = 0;
  let started = performance.now();
  await session.pipeline(
    requests.map(({ wire }) => ({ verb: "fetch", name: wire })),
    {
      window,
      signal,
      use: async (answer) => {
        const request = requests[index];
        const outcome = await settle(session, request, answer, started);
        started = performance.now();
        onOutcome(index++, outcome);
      },
    },
  );
}

async function settle(
  { digest, expectation }: FetchSession,
  request: FetchRequest,
  answer: Answer | RemoteError,
  started: number,
): Promise<FetchOutcome> {
  if (answer instanceof RemoteError) return { type: "failed", error: answer };
  if (answer.type !== "inline" && answer.type !== "ok") {
    throw new ProtocolError(`The server answered fetch with a ${answer.type}`);
  }
  const parsed = parseInlineAnswer(answer.text, digest);
  if (typeof parsed === "string") {
    throw new ProtocolError(`The server's answer to fetch is malformed: ${parsed}`);
  }
  if (parsed.type === "too-large") return parsed;
  if (answer.type !== "inline") throw new ProtocolError("The server's answer to fetch has no file");
  try {
    const hex = await hexOf(digest, answer.bytes);
    // Judged as any download is: the same words for a corrupt one.
    const bytes = answer.bytes.byteLength;
    checkDownload({ bytes, digest, hex, declared: parsed.hex }, expectation(request.name));
    await request.prepare?.();
    await saveSmallDownload(request.path, { bytes: answer.bytes, replace: request.replace });
    return { type: "done", bytes, hex, ms: performance.now() - started };
  } catch (error) {
    return { type: "failed", error };
  }
}

async function hexOf(name: DigestName, bytes: Uint8Array): Promise<string> {
  const digest = await createDigest(name);
  digest.update(bytes);
  return digest.hex();
}
