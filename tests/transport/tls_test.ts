/**
 * TLS transport over real loopback sockets: the client shows the check the server
 * certificate's fingerprint before sending a byte, and a pin means the server holds
 * the certificate's key. The impostor for that is real Node (OpenSSL): a key that
 * pairs the pinned certificate's public point with another key's secret passes
 * OpenSSL's certificate/key match (it compares public keys) yet signs the handshake
 * with a secret the certificate does not vouch for. rustls, which Deno's TLS uses,
 * refuses such a key outright, so Deno cannot play the impostor.
 */

import { assertEquals, assertRejects, assertStringIncludes } from "../support/assert.ts";
import { spawnChild } from "../support/ferry_process.ts";
import { tempDir } from "../support/helpers.ts";
import { testIdentity } from "../support/secure.ts";
import { loadIdentity } from "../../src/server/identity.ts";
import { Channel } from "../../src/transport/channel.ts";
import { tlsClient, type TlsIdentity, tlsServer } from "../../src/transport/tls.ts";

const LOOPBACK = "127.0.0.1";

/**
 * A Node TLS server showing `IMPOSTOR_CERT`, signing with the secret of
 * `IMPOSTOR_SIGNER` over the public point of `IMPOSTOR_KEY`; prints its port, then
 * `received N` for whatever a client sends it.
 */
const IMPOSTOR = `
const crypto = require("node:crypto");
const tls = require("node:tls");
const jwk = (pem) => crypto.createPrivateKey(pem).export({ format: "jwk" });
const key = crypto.createPrivateKey({
  key: { ...jwk(process.env.IMPOSTOR_KEY), d: jwk(process.env.IMPOSTOR_SIGNER).d },
  format: "jwk",
}).export({ format: "pem", type: "pkcs8" });
const server = tls.createServer({ cert: process.env.IMPOSTOR_CERT, key }, (socket) => {
  socket.on("data", (data) => console.log("received " + data.length));
  socket.on("error", () => {});
});
server.on("tlsClientError", () => {});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

/** The impostor, showing `shown`'s certificate, signing with `signer`'s secret. */
async function impostor(shown: TlsIdentity, signer: TlsIdentity) {
  const child = await spawnChild("node", ["-e", IMPOSTOR], {
    env: { IMPOSTOR_CERT: shown.cert, IMPOSTOR_KEY: shown.key, IMPOSTOR_SIGNER: signer.key },
  });
  return { child, port: Number(child.banner) };
}

/** A client pinned to `fingerprint` connects to `port` and, if let in, sends a token. */
async function sendToken(port: number, fingerprint: string): Promise<void> {
  const client = tlsClient((seen) => {
    if (seen !== fingerprint) throw new Error(`unexpected identity ${seen}`);
  });
  using channel = new Channel(await client.connect({ hostname: LOOPBACK, port }));
  await channel.write(new TextEncoder().encode("auth secret-token"));
  await channel.closeWrite();
}

Deno.test("`tlsClient` shows the check the server's fingerprint, and a refusal sends nothing", async () => {
  const identity = await testIdentity();
  const listener = tlsServer(identity).listen({ hostname: LOOPBACK, port: 0 });
  try {
    const accepted = listener.accept().then(async (connection) => {
      using channel = new Channel(connection);
      return await channel.read().catch(() => null);
    });
    const seen: string[] = [];
    const client = tlsClient((fingerprint) => {
      seen.push(fingerprint);
      throw new Error("not this one");
    });
    await assertRejects(() => client.connect(listener.addr), Error, "not this one");
    assertEquals(seen, [identity.fingerprint]);
    assertEquals(await accepted, null, "the server received nothing");
  } finally {
    listener.close();
  }
});

Deno.test("a pinned client refuses a server that shows the certificate without its key", async () => {
  await using dir = await tempDir();
  const real = await testIdentity();
  const other = (await loadIdentity(dir.file("other.pem"))).identity;
  const forged = await impostor(real, other);
  try {
    await assertRejects(() => sendToken(forged.port, real.fingerprint), Error);
  } finally {
    const { log } = await forged.child.stop();
    assertEquals(log, "", "the impostor itself ran fine");
  }
  assertEquals(await forged.child.readOutput("received"), "", "it never saw the token");
});

Deno.test("the impostor's setup is sound: with the real key, the pinned client trusts it", async () => {
  const real = await testIdentity();
  const honest = await impostor(real, real);
  try {
    await sendToken(honest.port, real.fingerprint);
    assertStringIncludes(await honest.child.readOutput("received"), "received 17");
  } finally {
    await honest.child.stop();
  }
});
