/**
 * Fixtures for secure mode: one server identity per test run (made once, in a temp
 * folder), a secure test server with known tokens, and a client that trusts it.
 *
 * @module
 */

import { connect } from "../../src/client/connect.ts";
import type { Client } from "../../src/client/client.ts";
import { loadIdentity } from "../../src/server/identity.ts";
import type { TlsIdentity } from "../../src/transport/tls.ts";
import { type TestServer, testServer } from "./helpers.ts";
import type { ServerOptions } from "../../src/server/server.ts";

/** The tokens every secure test server accepts. */
export const TOKENS = { readWrite: "read-write-token", readOnly: "read-only-token" };

let identity: Promise<TlsIdentity> | undefined;

/** A server identity, made on first use and removed from disk at once (it stays in memory). */
export function testIdentity(): Promise<TlsIdentity> {
  identity ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "ferry-identity-" });
    try {
      return (await loadIdentity(`${dir}/identity.pem`)).identity;
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  })();
  return identity;
}

/** A secure server on a free loopback port with {@linkcode TOKENS}. */
export async function secureServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  return await testServer({
    secure: { identity: await testIdentity(), tokens: TOKENS },
    ...options,
  });
}

/**
 * A client of `port` that trusts exactly the test identity, with `token`;
 * `options.resumeSecret` makes its `reput` keys those of an earlier client's.
 */
export async function secureClient(
  port: number,
  token = TOKENS.readWrite,
  options: { resumeSecret?: string } = {},
): Promise<Client> {
  const { fingerprint } = await testIdentity();
  return await connect({
    port,
    resumeSecret: options.resumeSecret,
    secure: {
      checkIdentity: (seen) => {
        if (seen !== fingerprint) throw new Error(`unexpected identity ${seen}`);
      },
      token,
    },
  });
}
