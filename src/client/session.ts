/**
 * The session under a {@linkcode Client}: its control connection, the extensions
 * agreed with `feat` (asked once, and only when something needs one), `auth`, and the
 * plumbing every command uses: a command answered on the control connection, or one
 * whose bytes cross a data connection (opened the dialect's way), under a stall
 * watchdog. `Client` adds the file and folder commands on top.
 *
 * @module
 */

import type { DigestName } from "../common/digest.ts";
import {
  CancelledError,
  ProtocolError,
  RemoteError,
  TransferError,
  UnsupportedError,
} from "../common/errors.ts";
import { formatAddress, quote } from "../common/text.ts";
import type { Access, CommandOf, Verb } from "../protocol/commands.ts";
import {
  acceptAnswer,
  BASE_FEATURES,
  type Feature,
  type FeatureSet,
  offerOf,
  parseOffer,
} from "../protocol/features.ts";
import { type Dialect, dialectFeatures, FERRY_DIALECT } from "../protocol/dialects.ts";
import { encodeFrame } from "../protocol/field.ts";
import { sessionDigest } from "../protocol/trailers.ts";
import type { Channel } from "../transport/channel.ts";
import type { NetAddress, Transport } from "../transport/connection.ts";
import { seconds, Watchdog } from "../transport/deadline.ts";
import type { Answer, Control } from "./control.ts";
import { openDataFor } from "./data_opening.ts";
import { keptSentence } from "./resume_steps.ts";
import { receiveListing } from "./transfers.ts";
import type { Expectation } from "./verdicts.ts";

/** What each extension lets a user do, for the sentence that says a server lacks it. */
const FEATURE_USES: Record<string, string> = {
  path: "folders and paths",
  "list-long": "long listings",
  manage: "changing files and folders",
  hash: "comparing files by hash",
  digest: "a digest other than sha256",
  inline: "small files on the control connection",
  resume: "resuming cut transfers",
};

/**
 * The resumable verbs (PROTOCOL.md §19), as the user knows them: a cancelled one keeps
 * what arrived (a download's partial file, an upload on the server).
 */
const RESUMABLE: Partial<Record<Verb, string>> = { reget: "get", reput: "put" };

/** How a client reaches its server, once connected. */
export interface ClientSettings {
  transport: Transport;
  timeout: number;
  /** The extensions to offer (a `Client` offers `CLIENT_FEATURES` unless told). Default none. */
  features?: readonly Feature[];
  /** The dialect the server speaks (PROTOCOL.md §15). Default `ferry`. */
  dialect?: Dialect;
  /**
   * Treat a transfer the server did not vouch for (a base-protocol server or a dialect
   * sends no checksum) as failed, with `UnverifiedError`; a download is then not kept.
   * Default `false`: such a transfer succeeds, marked not verified.
   */
  verify?: boolean;
  /**
   * The secret this user's `reput` keys are made from (`resume_keys.ts`), so that an
   * upload cut in one run resumes in the next. Default: a new one for each client, so
   * only the same client can resume.
   */
  resumeSecret?: string;
}

/** One session with a server. Commands run one at a time, in order. */
export class Session implements AsyncDisposable {
  #control: Control;
  #settings: ClientSettings;
  #data: Channel | undefined;
  #features: FeatureSet | undefined;
  /**
   * Whether the server must vouch for its bytes: it answered `feat`, so it is a ferry
   * server, and it speaks a dialect with trailers and statuses.
   */
  #vouched = false;
  #dialect: Dialect;
  /** Aborted by `close()`, so that a data connection still being opened gives up. */
  #closing = new AbortController();

  /** Wraps an open control connection. */
  constructor(control: Control, settings: ClientSettings) {
    this.#control = control;
    this.#settings = settings;
    this.#dialect = settings.dialect ?? FERRY_DIALECT;
  }

  /** The server's address. */
  get remoteAddr(): NetAddress {
    return this.#control.remoteAddr;
  }

  /** Whether the session is over (after `quit()`, `close()` or a fatal error). */
  get closed(): boolean {
    return this.#control.closed;
  }

  /**
   * The extensions agreed with the server, asked for the first time this is called
   * (never before, so a base-protocol server never sees `feat` unless someone wants
   * to know). A server that refuses `feat` speaks the base protocol: none.
   */
  async features(): Promise<FeatureSet> {
    if (this.#features) return this.#features;
    // `frames` ends in a checksum: a dialect without trailers never offers it.
    const offered = dialectFeatures(this.#dialect, this.#settings.features ?? []);
    try {
      const answer = await this.#control.request({ verb: "feat", offer: offerOf(offered) });
      this.#features = agreedFrom(answer.type === "ok" ? answer.text : "", offered);
      this.#vouched = this.#dialect.vouches;
      this.#control.agree(this.#features);
    } catch (error) {
      if (error instanceof ProtocolError) this.#control.close();
      if (!(error instanceof RemoteError) || this.closed) throw error;
      this.#features = BASE_FEATURES;
    }
    return this.#features;
  }

  /** The extensions agreed so far, without asking: `undefined` before the first `feat`. */
  get agreed(): FeatureSet | undefined {
    return this.#features;
  }

  /**
   * The digest this session's transfers are vouched for with: the one agreed with
   * `feat digest=...` (PROTOCOL.md §17), or `sha256` (before or without `feat`).
   */
  get digest(): DigestName {
    return sessionDigest(this.#features ?? BASE_FEATURES);
  }

  /** Throws {@linkcode UnsupportedError} unless the server agreed to `feature`. */
  async require(feature: string): Promise<void> {
    if ((await this.features()).has(feature)) return;
    const use = FEATURE_USES[feature];
    const what = use ? `${use} (the ${quote(feature)} extension)` : quote(feature);
    throw new UnsupportedError(
      `The server at ${formatAddress(this.remoteAddr)} does not support ${what}`,
    );
  }

  /**
   * Shows the server `token` (which needs the `auth` extension, agreed first) and
   * returns what it grants. A wrong token is a {@linkcode RemoteError}.
   */
  async authenticate(token: string): Promise<Access> {
    await this.require("auth");
    const answer = await this.#control.request({ verb: "auth", token });
    const access = answer.type === "ok" ? answer.text : "";
    if (access !== "read-write" && access !== "read-only") {
      this.close();
      throw new ProtocolError(`The server's answer to auth is malformed: ${quote(access)}`);
    }
    return access;
  }

  /**
   * What this session takes as the server's word on a transfer of `name`: whether
   * its trailers and statuses always come (it answered `feat`, so it is a ferry
   * server, and its dialect has them), and whether every transfer must be vouched for.
   */
  protected expectation(name: string): Expectation {
    return { name, vouches: this.#vouched, verify: this.#settings.verify ?? false };
  }

  /** Says goodbye and closes the connection. */
  async quit(): Promise<void> {
    await this.#control.quit();
  }

  /**
   * Closes the connection without a goodbye, ending any transfer under way (which
   * then fails and leaves nothing behind). Safe to call twice.
   */
  close(): void {
    this.#closing.abort();
    this.#data?.close();
    this.#control.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.quit();
  }

  /** Sends a command answered on the control connection; returns the `ok` text. */
  protected async ask<V extends Verb>(command: CommandOf<V>): Promise<string> {
    const answer = await this.#control.request(command);
    if (answer.type !== "ok") {
      throw new ProtocolError(`The server answered ${command.verb} with a port`);
    }
    return answer.text;
  }

  /**
   * Sends commands answered on the control connection alone, up to `window` in
   * flight, handing each answer (or its refusal, a `RemoteError`) to `use` in order.
   */
  protected async pipeline<V extends Verb>(
    commands: readonly CommandOf<V>[],
    options: {
      window: number;
      use: (answer: Answer | RemoteError) => Promise<void>;
      signal?: AbortSignal;
    },
  ): Promise<void> {
    await this.#control.pipeline(commands, options);
  }

  /**
   * Runs a listing command and returns its text: from a data connection, or for `ls`
   * in a dialect that lists on the control connection, from the reply itself (which
   * `cancel` cannot cut short: only the data connection can be closed on its own).
   */
  protected async listing<V extends "ls" | "list" | "tree">(
    command: CommandOf<V>,
    cancel?: AbortSignal,
  ): Promise<string> {
    const listing = command.verb === "ls" && this.#dialect.listing === "control"
      ? await this.#listOnControl(command)
      : await this.transfer(
        command,
        (data, watchdog) => receiveListing(data, () => watchdog.kick()),
        cancel,
      );
    return new TextDecoder().decode(listing);
  }

  /** The listing a dialect sends as the reply itself. */
  async #listOnControl<V extends Verb>(command: CommandOf<V>): Promise<Uint8Array> {
    const answer = await this.#control.request(command);
    if (answer.type === "listing") return answer.bytes;
    this.close(); // Another reply form: not in step any more.
    throw new ProtocolError("The server answered ls without a listing");
  }

  /**
   * Runs one command's transfer: sends the command, opens the data connection (the
   * dialect's way, see `data_opening.ts`), shows the ticket, and runs `use` on it. The
   * watchdog ends the transfer if no byte moves for the timeout.
   *
   * `cancel` (Ctrl-C at the prompt) closes only this data connection: the server
   * reads that as the transfer's end and waits for the next command, so the control
   * connection stays in step and the call throws {@linkcode CancelledError}. A
   * connection still being opened is let open first (within the timeout) and then
   * closed: given up half-way, a passive server would wait for it, and an active one
   * could answer a failed connect with a refusal the next command would take as its own.
   */
  protected async transfer<V extends Verb, T>(
    command: CommandOf<V>,
    use: (data: Channel, watchdog: Watchdog) => Promise<T>,
    cancel?: AbortSignal,
  ): Promise<T> {
    const verb = RESUMABLE[command.verb] ?? command.verb;
    const what = "name" in command ? `${verb} ${quote(command.name)}` : verb;
    const resumable = verb !== command.verb;
    const kept = resumable ? keptSentence(verb) : "nothing of it was kept";
    const cancelled = () => new CancelledError(`${what} cancelled: ${kept}`, { kept: resumable });
    if (cancel?.aborted) throw cancelled();
    const { transport, timeout } = this.#settings;
    const opened = await openDataFor(this.#control, command, {
      transport,
      timeout,
      dialect: this.#dialect,
      signal: this.#closing.signal,
    });
    const data = opened.channel;
    const end = () => data.close();
    cancel?.addEventListener("abort", end, { once: true });
    try {
      if (this.closed) {
        // close() ran while the data connection was being opened, so it could not end it.
        throw new TransferError("The connection to the server is closed");
      }
      if (cancel?.aborted) throw cancelled();
      this.#data = data;
      // A secure server admits a data connection by the ticket it sent with the port.
      if (opened.ticket !== undefined) await data.write(encodeFrame(opened.ticket));
      const watchdog = new Watchdog(timeout, end);
      return await watchdog.guard(
        () => use(data, watchdog),
        () => new TransferError(`The server stalled: nothing moved for ${seconds(timeout)}`),
      );
    } catch (error) {
      // Closing the data connection makes the transfer fail its own way: say why.
      throw cancel?.aborted && !this.#closing.signal.aborted ? cancelled() : error;
    } finally {
      cancel?.removeEventListener("abort", end);
      this.#data = undefined;
      data.close();
      this.#control.endTransfer();
    }
  }
}

/** The features the server's `ok` agreed to; a malformed answer breaks the protocol. */
function agreedFrom(text: string, offered: readonly Feature[]): FeatureSet {
  const answer = parseOffer(text);
  const agreed = typeof answer === "string" ? answer : acceptAnswer(answer, offered);
  if (typeof agreed === "string") {
    throw new ProtocolError(`The server's answer to feat is malformed: ${agreed}`);
  }
  return agreed;
}
