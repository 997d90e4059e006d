/**
 * A server that follows a script instead of the protocol: it accepts one control
 * connection and hands the script that connection plus a way to open data
 * listeners. For playing base-protocol, broken and lying servers to the client.
 *
 * @module
 */

import { encodeField } from "../../src/protocol/field.ts";
import { Peer } from "./peer.ts";

/** A data listener the script opened: its port, and its one connection. */
export interface ScriptedData {
  port: number;
  accept(): Promise<Peer>;
}

/** What the script may do. */
export type Script = (control: Peer, openData: () => ScriptedData) => Promise<void>;

/** A scripted server on 127.0.0.1; disposing it waits for the script, then closes all. */
export function scriptedServer(script: Script): { port: number } & AsyncDisposable {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open: Peer[] = [];
  const listeners: Deno.Listener[] = [listener];
  const done = (async () => {
    const control = new Peer(await listener.accept());
    open.push(control);
    await script(control, () => {
      const data = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      listeners.push(data);
      return {
        port: data.addr.port,
        accept: async () => {
          const peer = new Peer(await data.accept());
          open.push(peer);
          return peer;
        },
      };
    });
  })();
  return {
    port: listener.addr.port,
    async [Symbol.asyncDispose]() {
      try {
        await done;
      } finally {
        for (const l of listeners) {
          try {
            l.close();
          } catch {
            // Closed already.
          }
        }
        open.forEach((peer) => peer.close());
      }
    },
  };
}

/** A server that answers every command with the bare field `port`, until the client hangs up. */
export function portServer(port: number): { port: number } & AsyncDisposable {
  return scriptedServer(async (control) => {
    while ((await control.reader.readFrame(100).catch(() => null)) !== null) {
      await control.send(encodeField(port)).catch(() => {});
    }
  });
}
