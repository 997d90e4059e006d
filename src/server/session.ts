/**
 * One control connection, from first command to close: feed the bytes to the
 * protocol's {@linkcode ServerConnection}, carry out each command through the
 * command table, answer it the way the connection's state allows, log one line,
 * repeat. A protocol error ends only this session; a refusal lets it go on.
 *
 * @module
 */

import { RefusalError, TransferError } from "../common/errors.ts";
import { describeError, formatAddress } from "../common/text.ts";
import type { CommandOf } from "../protocol/commands.ts";
import type { Dialect } from "../protocol/dialects.ts";
import type { Feature } from "../protocol/features.ts";
import type { Segments } from "../protocol/paths.ts";
import { encodeFrame } from "../protocol/field.ts";
import { concatBytes } from "../protocol/replies.ts";
import { ServerConnection } from "../protocol/server_connection.ts";
import { Channel } from "../transport/channel.ts";
import type { Connection, Transport } from "../transport/connection.ts";
import { pause, seconds, withDeadline } from "../transport/deadline.ts";
import type { SessionSlot } from "./admission.ts";
import { CommandReader } from "./command_reader.ts";
import type { CommandContext, Outcome, Reply, TransferProgress } from "./command_context.ts";
import { commandEntry, type HandledVerb } from "./command_table.ts";
import { type Access, accessFor, type AccessTokens, type AuthThrottle } from "./access.ts";
import { DataConnections, type DataOpening, newTicket } from "./data_connections.ts";
import { gate } from "./gate.ts";
import { failureOf } from "./failures.ts";
import type { DigestCache } from "./digest_cache.ts";
import type { FileStore } from "./file_store.ts";
import type { Limits } from "./limits.ts";
import type { ResumeState } from "./resume_state.ts";
import { commandEvent, endEvent, type EventLog, type SessionEntry, SHUT_DOWN } from "./log.ts";

/** Settings every session of a server shares. */
export interface SessionOptions {
  store: FileStore;
  digests: DigestCache;
  limits: Limits;
  transport: Transport;
  /** The extensions this server agrees to when a client offers them. */
  features: readonly Feature[];
  /** Tokens and their back-off, on a secure server; none on a classic one. */
  security?: { tokens: AccessTokens; throttle: AuthThrottle };
  /** How replies and data connections look (PROTOCOL.md §15). Default `ferry`. */
  dialect?: Dialect;
  /** Receives one event per thing that happened. Default: discard. */
  log?: EventLog;
  /** Interrupted uploads and hash states, shared by the server's sessions. */
  resume: ResumeState;
}

export { SHUT_DOWN } from "./log.ts";

/**
 * Serves one control connection until the client quits, leaves or breaks the
 * protocol, or the session is stopped: through `slot` (to give way, or to drain at
 * shutdown, after the command under way), or at once by `signal`.
 */
export async function runSession(
  connection: Connection,
  options: SessionOptions,
  { signal, slot }: { signal?: AbortSignal; slot?: SessionSlot } = {},
): Promise<void> {
  await new Session(connection, options, signal, slot).run();
}

class Session {
  #control: Channel;
  #machine: ServerConnection;
  #options: SessionOptions;
  #signal: AbortSignal | undefined;
  #peer: string;
  #peerHost: string;
  #data: DataConnections;
  #commands: CommandReader;
  /** What the session may do: granted by `auth` on a secure server, at once otherwise. */
  #access: Access | undefined;
  /** The current folder, moved by `cd` (PROTOCOL.md §11). */
  #cwd: Segments = [];

  constructor(
    connection: Connection,
    options: SessionOptions,
    signal?: AbortSignal,
    slot?: SessionSlot,
  ) {
    this.#control = new Channel(connection);
    this.#machine = new ServerConnection(options.dialect);
    this.#options = options;
    this.#signal = signal;
    this.#commands = new CommandReader({
      control: this.#control,
      machine: this.#machine,
      limits: options.limits,
      slot,
      send: (bytes) => this.#send(bytes),
    });
    this.#peer = formatAddress(connection.remoteAddr);
    this.#peerHost = connection.remoteAddr.hostname;
    if (!options.security) this.#access = options.store.readOnly ? "read-only" : "read-write";
    this.#data = new DataConnections({
      transport: options.transport,
      local: connection.localAddr,
      peer: connection.remoteAddr,
      limits: options.limits,
      onIntruder: (address) =>
        this.#log({ action: "intruder", result: `refused: data connection from ${address}` }),
    });
  }

  async run(): Promise<void> {
    if (this.#signal?.aborted) return this.#control.close(); // Accepted as the server stopped.
    const stop = () => this.#closeAll();
    this.#signal?.addEventListener("abort", stop, { once: true });
    this.#log({ action: "connect", result: "ok" });
    try {
      while (await this.#serveNext()) { /* one command each */ }
    } catch (error) {
      this.#log(endEvent(error, { shutDown: this.#signal?.aborted ?? false }));
    } finally {
      this.#signal?.removeEventListener("abort", stop);
      this.#closeAll();
      await this.#data.settled();
    }
  }

  /** Handles the next event; `false` once the session is over. */
  async #serveNext(): Promise<boolean> {
    const event = await this.#commands.next();
    switch (event.type) {
      case "end":
        this.#log({
          action: "disconnect",
          result: event.clean
            ? "ok"
            : "failed: The client closed the connection in the middle of a command",
        });
        return false;
      case "protocol-error":
        this.#log({ action: "protocol-error", result: `failed: ${event.reason}` });
        await this.#send(this.#machine.goodbye(event.reason)).catch(() => {});
        return false;
      case "invalid":
        await this.#send(this.#machine.sendRefusal(event.reason));
        this.#log({ action: "invalid", result: `refused: ${event.reason}` });
        return true;
      case "command":
        if (event.command.verb === "quit") {
          this.#log({ action: "quit", result: "ok" });
          return false;
        }
        await this.#execute(event.command);
        return true;
    }
  }

  /** Carries out one command and logs how it went. */
  async #execute<V extends HandledVerb>(command: CommandOf<V>): Promise<void> {
    const started = performance.now();
    const progress = { bytes: 0 };
    let outcome: Outcome;
    try {
      outcome = await this.#answer(command, progress);
    } catch (error) {
      if (this.#signal?.aborted) {
        outcome = { bytes: progress.bytes, result: `failed: ${SHUT_DOWN} during the command` };
        this.#log(commandEvent(command, started, outcome));
        throw error;
      }
      outcome = { bytes: progress.bytes, ...await this.#fail(error) };
    }
    this.#log(commandEvent(command, started, outcome));
  }

  async #answer<V extends HandledVerb>(
    command: CommandOf<V>,
    progress: TransferProgress,
  ): Promise<Outcome> {
    const entry = commandEntry(command.verb);
    const refusal = gate(command.verb, entry, {
      secure: this.#options.security !== undefined,
      access: this.#access,
      readOnlyServer: this.#options.store.readOnly,
      features: this.#machine.features,
    });
    if (refusal) throw new RefusalError(refusal);
    const reply: Reply = await entry.handle(this.#context(), command);
    switch (reply.kind) {
      case "ok":
        if (reply.grant) {
          this.#access = this.#options.store.readOnly ? "read-only" : reply.grant;
        }
        if (reply.cwd) this.#cwd = reply.cwd;
        await this.#send(
          reply.payload
            ? concatBytes(this.#machine.sendOk(reply.text), encodeFrame(reply.payload))
            : this.#machine.sendOk(reply.text),
        );
        return reply.outcome;
      case "agreed":
        await this.#send(this.#machine.sendFeatures(reply.features));
        return reply.outcome;
      case "data": {
        await using transfer = reply.transfer;
        if (reply.listing && this.#machine.dialect.listing === "control") {
          await this.#send(this.#machine.sendListing(concatBytes(...reply.listing.chunks)));
          return reply.listing.outcome;
        }
        try {
          return await this.#data.run(
            this.#opening(),
            (channel, watchdog) => transfer.run(channel, watchdog, progress),
          );
        } finally {
          if (this.#machine.state === "transferring") this.#machine.endTransfer();
        }
      }
    }
  }

  /**
   * How this command's data connection opens: the server listens and sends the port,
   * or (in an active dialect) connects to the port the client sent.
   */
  #opening(): DataOpening {
    const port = this.#machine.clientPort;
    if (port !== undefined) {
      return { by: "client", port, connected: () => this.#machine.connected() };
    }
    const ticket = this.#machine.features.has("tickets") ? newTicket() : undefined;
    return { by: "server", sendPort: (p) => this.#send(this.#machine.sendPort(p, ticket)), ticket };
  }

  /**
   * Answers a failed command: a refusal while the control connection still can, or
   * (once the port was sent) only the log, since the data connection has said it.
   */
  async #fail(error: unknown): Promise<Outcome> {
    const failure = failureOf(error);
    if (failure.bug) {
      this.#log({ action: "internal-error", result: `failed: ${describeError(error)}`, error });
    }
    if (this.#machine.canRefuse) {
      await this.#send(this.#machine.sendRefusal(failure.message));
      return { result: `refused: ${failure.message}` };
    }
    return { result: `failed: ${failure.bug ? "internal server error" : failure.message}` };
  }

  #context(): CommandContext {
    const { store, limits, features, digests } = this.#options;
    const cwd = this.#cwd;
    return {
      store,
      limits,
      supported: features,
      features: this.#machine.features,
      digests,
      cwd,
      target: (path) => store.resolve(cwd, path),
      dialect: this.#machine.dialect,
      resume: this.#options.resume,
      owner: this.#options.security ? `token:${this.#access}` : "plain",
      authenticate: (token) => this.#authenticate(token),
    };
  }

  /** What `token` grants, answered only once this address's back-off has passed. */
  async #authenticate(token: string): Promise<Access | undefined> {
    const security = this.#options.security;
    if (!security) return undefined;
    await pause(security.throttle.delay(this.#peerHost), this.#signal);
    const access = await accessFor(security.tokens, token);
    if (access) security.throttle.succeeded(this.#peerHost);
    else security.throttle.failed(this.#peerHost);
    return access;
  }

  /**
   * Writes on the control connection, bounded too: a client that never reads its
   * replies must not hold the session (and its slot) forever.
   */
  #send(bytes: Uint8Array): Promise<void> {
    const { commandTimeout } = this.#options.limits;
    return withDeadline(
      commandTimeout,
      () => this.#closeAll(),
      () => new TransferError(`The client stopped reading replies for ${seconds(commandTimeout)}`),
      () => this.#control.write(bytes),
    );
  }

  #closeAll(): void {
    this.#data.closeAll();
    this.#control.close();
  }

  #log(event: SessionEntry): void {
    this.#options.log?.({ peer: this.#peer, ...event });
  }
}
