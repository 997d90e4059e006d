/** Names that look the same: refused for new files, whichever form came first. */
import { assertEquals, assertRejects } from "../support/assert.ts";
import { lookAlikeOf } from "../../src/server/look_alikes.ts";
import { FileStore } from "../../src/server/file_store.ts";
import { makeFolder, rename } from "../../src/server/file_changes.ts";
import { RefusalError } from "../../src/common/errors.ts";
import { tempDir } from "../support/helpers.ts";

const NFC = "caf\u00e9.txt";
const NFD = "cafe\u0301.txt";

Deno.test("`lookAlikeOf()` finds a name of the same NFC form, in either direction", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.file(NFC), "");
  assertEquals(await lookAlikeOf(dir.path, NFD), NFC);
  assertEquals(await lookAlikeOf(dir.path, NFC), undefined, "a name is not its own look-alike");
  await Deno.remove(dir.file(NFC));
  await Deno.writeTextFile(dir.file(NFD), "");
  assertEquals(await lookAlikeOf(dir.path, NFC), NFD);
  assertEquals(await lookAlikeOf(dir.path, "other.txt"), undefined);
});

Deno.test("`lookAlikeOf()` finds the three non-ASCII look-alikes of ASCII names without a listing", async () => {
  await using dir = await tempDir();
  for (const name of ["\u212aelvin", "a\u037eb", "\u1fefquote", "K;K"]) {
    await Deno.writeTextFile(dir.file(name), "");
  }
  assertEquals(await lookAlikeOf(dir.path, "Kelvin"), "\u212aelvin");
  assertEquals(await lookAlikeOf(dir.path, "a;b"), "a\u037eb");
  assertEquals(await lookAlikeOf(dir.path, "`quote"), "\u1fefquote");
  assertEquals(await lookAlikeOf(dir.path, "Kelvin2"), undefined);
  // A name with many candidates is looked up by reading the folder instead.
  const many = "K".repeat(12);
  await Deno.writeTextFile(dir.file("K".repeat(11) + "\u212a"), "");
  assertEquals(await lookAlikeOf(dir.path, many), "K".repeat(11) + "\u212a");
});

Deno.test("`FileStore` refuses to create a name that looks like one it has, and allows a distinct one", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.file(NFC), "");
  const store = await FileStore.open(dir.path);
  await assertRejects(
    () => store.checkCanCreate(NFD),
    RefusalError,
    `"${NFD}" would look the same as "${NFC}", which exists on the server: choose another name`,
  );
  // Invisible characters are not normalised away: the name is allowed (and shown escaped).
  await store.checkCanCreate("report\u200b.pdf");
});

Deno.test("`FileStore` guards every new name of the folder extensions: paths, `replace`, mkdir, rename", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(dir.file("docs"));
  await Deno.writeTextFile(dir.file(`docs/${NFC}`), "");
  const store = await FileStore.open(dir.path);
  const at = (path: string) => store.resolve([], path);
  const lookAlike = `would look the same as "${NFC}"`;
  await assertRejects(() => store.checkCanCreate(`docs/${NFD}`), RefusalError, lookAlike);
  await assertRejects(
    () => store.checkCanCreate(`docs/${NFD}`, { replace: true }),
    RefusalError,
    lookAlike,
  );
  await store.checkCanCreate(`docs/${NFC}`, { replace: true }); // Replaces, names nothing new.
  await assertRejects(() => makeFolder(store, at(`docs/${NFD}`)), RefusalError, lookAlike);
  await Deno.writeTextFile(dir.file("docs/other.txt"), "");
  await assertRejects(
    () => rename(store, { from: at("docs/other.txt"), to: at(`docs/${NFD}`) }),
    RefusalError,
    lookAlike,
  );
  // A file may take its own look-alike name: nothing then stands beside it.
  await rename(store, { from: at(`docs/${NFC}`), to: at(`docs/${NFD}`) });
  assertEquals([...Deno.readDirSync(dir.file("docs"))].map((e) => e.name).sort(), [
    NFD,
    "other.txt",
  ]);
});
