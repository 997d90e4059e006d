/**
 * The folder extensions (PROTOCOL.md §11–§14) in every dialect (§15), ferry client
 * against ferry server: `feat` is agreed as in §9 whatever the dialect, `ls PATH` is a
 * reply frame in `framed`, and `list`, `tree` and `replace` open their data
 * connections the dialect's way, carrying an active client's port like `ls` and `put`.
 * `frames` (§16) is the exception: agreed only in the dialect whose payloads end in a
 * checksum.
 */
import { connect } from "../../src/client/connect.ts";
import { RemoteError } from "../../src/common/errors.ts";
import { DIALECTS } from "../../src/protocol/dialects.ts";
import { assertEquals, assertRejects } from "../support/assert.ts";
import { RawClient, tempDir, testServer } from "../support/helpers.ts";

for (const dialect of Object.values(DIALECTS)) {
  Deno.test(`the folder extensions work in the ${dialect.name} dialect`, async () => {
    await using local = await tempDir();
    await using server = await testServer({ dialect });
    await Deno.mkdir(server.root.file("docs/old"), { recursive: true });
    await Deno.writeTextFile(server.root.file("docs/a.txt"), "first\n");
    await Deno.writeTextFile(local.file("a.txt"), "second\n");
    await using client = await connect({ port: server.port, dialect });

    assertEquals([...await client.list("docs")], [
      { name: "a.txt", isDirectory: false },
      { name: "old", isDirectory: true },
    ]);
    assertEquals(await client.cd("docs"), "/docs");
    assertEquals((await client.listLong()).map((e) => [e.path, e.type]), [
      ["a.txt", "file"],
      ["old", "folder"],
    ]);
    const put = await client.put(local.file("a.txt"), "a.txt", { replace: true });
    assertEquals(put.verified, dialect.vouches);
    assertEquals(await Deno.readTextFile(server.root.file("docs/a.txt")), "second\n");
    await client.mkdir("old/new");
    assertEquals((await client.tree("..")).map((e) => e.path), [
      "docs",
      "docs/a.txt",
      "docs/old",
      "docs/old/new",
    ]);
    const got = await client.get("../docs/a.txt", local.file("copy.txt"));
    assertEquals(got.verified, dialect.vouches);
    assertEquals(await Deno.readTextFile(local.file("copy.txt")), "second\n");
    await assertRejects(() => client.listLong("nope"), RemoteError);
    assertEquals((await client.list()).size, 2, "the session goes on after a refusal");
    // A framed payload ends in a checksum: only a dialect with checksums agrees `frames`.
    assertEquals(client.agreed?.has("frames"), dialect.vouches);
  });
}

Deno.test("a server in a dialect without checksums never agrees `frames`, whoever offers it", async () => {
  await using server = await testServer({ dialect: DIALECTS.framed });
  using raw = await RawClient.connect(server.port);
  await raw.command("feat frames path");
  assertEquals(new TextDecoder().decode(await raw.reader.readFrame(100) ?? undefined), "ok path");
});

Deno.test("active-inline: list without its port is refused with the form to use", async () => {
  await using server = await testServer({ dialect: DIALECTS["active-inline"] });
  using raw = await RawClient.connect(server.port);
  await raw.command("feat list-long");
  assertEquals(
    new TextDecoder().decode(await raw.reader.readFrame(100) ?? undefined),
    "ok list-long",
  );
  await raw.command("list");
  assertEquals(await raw.reply(), {
    refused: "Command list needs the data port at its end: list PORT",
  });
});
