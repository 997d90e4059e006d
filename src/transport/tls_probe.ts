/**
 * What a server that does not speak TLS said to a TLS hello: secure mode's one look
 * at a stranger. `node:tls` reports only "wrong version number" whatever came back,
 * and a classic ferry server (which answers with a reply field) needs different words
 * from an HTTP, SSH or FTP server (which answers in its own protocol). So, once a
 * handshake has failed that way, one more connection sends the same hello through a
 * stream of ours, which sees the answer's first bytes.
 *
 * @module
 */

import type { NetAddress } from "./connection.ts";

/** How long the second look waits for an answer: any server answers a hello at once. */
const LOOK_MS = 1000;

/** How much of the answer is kept: enough to judge it and to quote its first line. */
const KEPT_BYTES = 60;

/**
 * A TLS handshake that failed because the peer answered with something that is not
 * TLS; `answer` is the start of what it said (as a second look saw it), if anything.
 */
export class NotTlsError extends Error {
  readonly address: NetAddress;
  readonly answer: Uint8Array | undefined;

  constructor(
    message: string,
    options: ErrorOptions & { address: NetAddress; answer: Uint8Array | undefined },
  ) {
    super(message, { cause: options.cause });
    this.name = "NotTlsError";
    this.address = options.address;
    this.answer = options.answer;
  }
}

/**
 * A TLS handshake that got no answer at all: the peer took the connection and then
 * said nothing (and kept it open) for `ms`. No TLS server does that.
 */
export class SilentPeerError extends Error {
  readonly ms: number;

  constructor(ms: number) {
    super(`it took the connection but did not answer TLS within ${ms / 1000} s`);
    this.name = "SilentPeerError";
    this.ms = ms;
  }
}

/** Whether a handshake failure says the peer answered, but not in TLS. */
export function answeredWithoutTls(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === "ERR_SSL_WRONG_VERSION_NUMBER" ||
    /wrong version|packet length|InvalidContentType|corrupt message/i.test(message ?? "");
}

/**
 * Sends a TLS hello to `address` and returns the first bytes of the answer, or
 * `undefined` when nothing came within a second (or the connection failed). Never
 * throws: it only explains a failure already certain.
 */
export async function answerToHello(
  address: NetAddress,
  signal?: AbortSignal,
): Promise<Uint8Array | undefined> {
  const [net, tls, { Duplex }] = await Promise.all([
    import("node:net"),
    import("node:tls"),
    import("node:stream"),
  ]);
  return await new Promise((resolve) => {
    const kept: number[] = [];
    const raw = net.connect({ host: address.hostname, port: address.port });
    const between = new Duplex({
      read() {},
      write: (chunk, _encoding, callback) => raw.write(chunk, callback),
    });
    // Events come on later turns only: `hello` and `timer` exist by the first call.
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      raw.destroy();
      hello.destroy();
      resolve(kept.length > 0 ? new Uint8Array(kept) : undefined);
    };
    raw.on("data", (chunk: Uint8Array) => {
      for (const byte of chunk.subarray(0, KEPT_BYTES - kept.length)) kept.push(byte);
      if (kept.length >= KEPT_BYTES) done();
      else between.push(chunk);
    });
    raw.on("error", done);
    raw.on("close", done);
    const hello = tls.connect({ socket: between });
    hello.on("error", done); // The answer is not TLS: what was kept is the point.
    const timer = setTimeout(done, LOOK_MS);
    signal?.addEventListener("abort", done, { once: true });
  });
}
