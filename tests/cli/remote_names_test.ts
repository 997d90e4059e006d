/** The names Tab knows: one listing, fetched when first wanted, fetched again after a change. */
import { assertEquals } from "../support/assert.ts";
import { RemoteNames } from "../../src/cli/remote_names.ts";
import { connect } from "../../src/client/connect.ts";
import { testServer } from "../support/helpers.ts";

Deno.test("RemoteNames lists once, takes ls's listing, and lists again after invalidate()", async () => {
  await using server = await testServer();
  await Deno.writeTextFile(server.root.file("a.txt"), "a");
  await using client = await connect({ port: server.port });
  const names = new RemoteNames(client);
  const listings = () => server.events.filter((e) => e.action === "ls").length;
  /** Settles once the server has logged `n` listings. */
  const listed = (n: number) => server.waitFor(() => listings() >= n);
  const [first, second] = await Promise.all([names.entries(), names.entries()]); // One fetch.
  assertEquals([first.map((e) => e.name), second.map((e) => e.name)], [["a.txt"], ["a.txt"]]);
  await listed(1);
  await Deno.writeTextFile(server.root.file("b.txt"), "b");
  assertEquals((await names.entries()).length, 1); // Cached: b.txt is not known yet.
  names.seen("", await client.list()); // What `ls` does.
  assertEquals((await names.entries()).map((e) => e.name), ["a.txt", "b.txt"]);
  await Deno.remove(server.root.file("a.txt"));
  names.invalidate(); // What a `put` does.
  assertEquals((await names.entries()).map((e) => e.name), ["b.txt"]);
  await listed(3);
  await client.quit();
  await server.waitFor((e) => e.action === "quit");
  assertEquals(listings(), 3); // The first fetch, the ls, the fetch after the change.
});

Deno.test("RemoteNames finds nothing when the listing fails, and idle() waits for a fetch", async () => {
  await using server = await testServer();
  await using client = await connect({ port: server.port });
  const names = new RemoteNames(client);
  const fetching = names.entries();
  await names.idle(); // The connection is free once this settles.
  assertEquals(await fetching, []); // An empty folder.
  await client.quit();
  assertEquals(await names.entries(), []); // The connection is gone: Tab finds nothing.
});
