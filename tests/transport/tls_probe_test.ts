/**
 * Secure mode's second look at a peer that did not answer TLS: real loopback
 * listeners that answer a hello in HTTP, in a classic reply field, or not at all.
 */
import { assert, assertEquals, assertStartsWith } from "../support/assert.ts";
import { silentPort } from "../support/helpers.ts";
import { answeredWithoutTls, answerToHello } from "../../src/transport/tls_probe.ts";

const LOOPBACK = "127.0.0.1";

/** An HTTP server on a loopback port (Deno's own, which answers a TLS hello with a 400). */
function httpServer(): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    { hostname: LOOPBACK, port: 0, onListen() {} },
    () => new Response("hello"),
  );
}

Deno.test("`answerToHello()` returns the start of an HTTP server's answer to a TLS hello", async () => {
  await using server = httpServer();
  const answer = await answerToHello({ hostname: LOOPBACK, port: server.addr.port });
  assert(answer, "no answer");
  assertStartsWith(new TextDecoder().decode(answer), "HTTP/1.1 400");
});

Deno.test("`answerToHello()` returns a classic server's reply field as it came", async () => {
  using listener = Deno.listen({ hostname: LOOPBACK, port: 0 });
  const answering = (async () => {
    using conn = await listener.accept();
    await conn.read(new Uint8Array(1024)); // The hello.
    await conn.write(new TextEncoder().encode("0000000000"));
    await conn.read(new Uint8Array(1024)).catch(() => null); // Until the look ends.
  })();
  const answer = await answerToHello({ hostname: LOOPBACK, port: listener.addr.port });
  await answering;
  assertEquals(new TextDecoder().decode(answer), "0000000000");
});

Deno.test("`answerToHello()` gives up on a silent server within its second", async () => {
  using silent = await silentPort();
  const started = performance.now();
  assertEquals(await answerToHello({ hostname: LOOPBACK, port: silent.port }), undefined);
  assert(performance.now() - started < 10_000, "waited far longer than a second");
});

Deno.test("`answeredWithoutTls()` knows node's words for an answer that is not TLS", () => {
  const wrong = Object.assign(new Error("received corrupt message of type InvalidContentType"), {
    code: "ERR_SSL_WRONG_VERSION_NUMBER",
  });
  assertEquals(
    [wrong, new Error("connect ECONNREFUSED 127.0.0.1:9"), new Error("socket hang up")]
      .map(answeredWithoutTls),
    [true, false, false],
  );
});
