/**
 * The jail, through everything the file store does with a path: symlinked folders
 * anywhere in the path, `..`, a folder swapped for a symlink between the check and
 * the use (through the store's checkpoint hook, so the race is hit every time), and
 * very deep and very long paths.
 */
import { assertEquals, assertRejects } from "../support/assert.ts";
import { RefusalError } from "../../src/common/errors.ts";
import { FileStore } from "../../src/server/file_store.ts";
import { makeFolder, removeFile, removeFolder, rename } from "../../src/server/file_changes.ts";
import { listLong, tree } from "../../src/server/long_listings.ts";
import { namesIn, type TempDir, tempDir } from "../support/helpers.ts";

/** A shared folder with `sub/secret.txt` inside, and an outside folder with its own. */
async function fixture(): Promise<{ root: TempDir; outside: TempDir } & AsyncDisposable> {
  const root = await tempDir();
  const outside = await tempDir();
  await Deno.mkdir(root.file("sub"));
  await Deno.writeTextFile(root.file("sub", "secret.txt"), "inside");
  await Deno.writeTextFile(root.file("inside.txt"), "mine");
  await Deno.writeTextFile(outside.file("secret.txt"), "OUTSIDE");
  return {
    root,
    outside,
    async [Symbol.asyncDispose]() {
      await root[Symbol.asyncDispose]();
      await outside[Symbol.asyncDispose]();
    },
  };
}

Deno.test("a symlinked folder inside the shared folder can be used anywhere in a path", async () => {
  await using dirs = await fixture();
  await Deno.symlink(dirs.root.file("sub"), dirs.root.file("link"));
  const store = await FileStore.open(dirs.root.path);
  const { file, size } = await store.openForReading("link/secret.txt");
  file.close();
  assertEquals(size, 6);
  assertEquals((await store.list("link")).map((e) => e.name), ["secret.txt"]);
  await makeFolder(store, store.resolve([], "link/new"));
  assertEquals(await namesIn(dirs.root.file("sub")), ["new", "secret.txt"]);
});

Deno.test("a symlinked folder leading out is refused wherever it sits in the path", async () => {
  await using dirs = await fixture();
  await Deno.mkdir(dirs.root.file("a"));
  await Deno.symlink(dirs.outside.path, dirs.root.file("out"));
  await Deno.symlink(dirs.outside.path, dirs.root.file("a", "b"));
  const store = await FileStore.open(dirs.root.path);
  const target = (path: string) => store.resolve([], path);
  for (const path of ["out/secret.txt", "a/b/secret.txt"]) {
    await assertRejects(() => store.openForReading(path), RefusalError, "points outside");
    await assertRejects(() => removeFile(store, target(path)), RefusalError, "points outside");
    await assertRejects(
      () => rename(store, { from: target(path), to: target("stolen.txt") }),
      RefusalError,
      "points outside",
    );
  }
  for (const path of ["out", "a/b", "out/", "a/b/"]) {
    await assertRejects(() => store.list(path), RefusalError, "points outside");
    await assertRejects(() => listLong(store, target(path)), RefusalError, "points outside");
    await assertRejects(() => tree(store, target(path)), RefusalError, "points outside");
  }
  await assertRejects(() => store.beginUpload("out/new.txt"), RefusalError, "points outside");
  await assertRejects(() => makeFolder(store, target("a/b/new")), RefusalError, "points outside");
  await assertRejects(
    () => rename(store, { from: target("inside.txt"), to: target("out/inside.txt") }),
    RefusalError,
    "points outside",
  );
  assertEquals(await namesIn(dirs.outside.path), ["secret.txt"]);
  assertEquals(await Deno.readTextFile(dirs.outside.file("secret.txt")), "OUTSIDE");
  assertEquals(await Deno.readTextFile(dirs.root.file("inside.txt")), "mine");
});

Deno.test("`..` steps up inside the shared folder and never above it", async () => {
  await using dirs = await fixture();
  const store = await FileStore.open(dirs.root.path);
  const { file } = await store.openForReading(store.resolve(["sub"], "../inside.txt"));
  file.close();
  for (const path of ["..", "../x", "sub/../../x", "sub/../.."]) {
    assertEquals(
      (() => {
        try {
          store.resolve([], path);
          return "resolved";
        } catch (error) {
          return (error as Error).message;
        }
      })(),
      `Path "${path}" leads out of the shared folder`,
    );
  }
});

/** Swaps `root/sub` for a symlink to the outside folder, the first time `when` holds. */
function swapper(dirs: { root: TempDir; outside: TempDir }, when: (path: string) => boolean) {
  let swapped = false;
  return {
    async checkpoint(path: string) {
      if (swapped || !when(path)) return;
      swapped = true;
      await Deno.rename(dirs.root.file("sub"), dirs.root.file("sub-real"));
      await Deno.symlink(dirs.outside.path, dirs.root.file("sub"));
    },
    get swapped() {
      return swapped;
    },
  };
}

Deno.test("a folder swapped for a symlink between check and use: nothing outside is read", async () => {
  await using dirs = await fixture();
  const swap = swapper(dirs, () => true);
  const store = await FileStore.open(dirs.root.path, { checkpoint: swap.checkpoint });
  await assertRejects(() => store.openForReading("sub/secret.txt"), RefusalError, "points outside");
  assertEquals(swap.swapped, true, "the race was hit");
});

for (const what of ["list", "listLong", "tree"] as const) {
  Deno.test(`a folder swapped for a symlink between check and use: ${what} shows nothing of it`, async () => {
    await using dirs = await fixture();
    const swap = swapper(dirs, () => true);
    const store = await FileStore.open(dirs.root.path, { checkpoint: swap.checkpoint });
    const target = store.resolve([], "sub");
    const list = what === "list"
      ? () => store.list(target)
      : what === "listLong"
      ? () => listLong(store, target)
      : () => tree(store, target);
    await assertRejects(list, RefusalError, "points outside");
    assertEquals(swap.swapped, true);
  });
}

Deno.test("a folder swapped for a symlink between check and use: nothing is written outside", async () => {
  await using dirs = await fixture();
  const swap = swapper(dirs, () => true);
  const store = await FileStore.open(dirs.root.path, { checkpoint: swap.checkpoint });
  await assertRejects(() => store.beginUpload("sub/new.txt"), RefusalError, "points outside");
  assertEquals(swap.swapped, true);
  assertEquals(await namesIn(dirs.outside.path), ["secret.txt"], "no temp file left outside");
});

Deno.test("a folder swapped for a symlink between check and use: no folder is made outside", async () => {
  await using dirs = await fixture();
  const swap = swapper(dirs, () => true);
  const store = await FileStore.open(dirs.root.path, { checkpoint: swap.checkpoint });
  await assertRejects(
    () => makeFolder(store, store.resolve([], "sub/new")),
    RefusalError,
    "points outside",
  );
  assertEquals([swap.swapped, await namesIn(dirs.outside.path)], [true, ["secret.txt"]]);
});

for (const what of ["rm", "rename"] as const) {
  Deno.test(`a folder swapped for a symlink between check and use: ${what} leaves the outside file alone`, async () => {
    await using dirs = await fixture();
    const swap = swapper(dirs, () => true);
    const store = await FileStore.open(dirs.root.path, { checkpoint: swap.checkpoint });
    const source = store.resolve([], "sub/secret.txt");
    const change = what === "rm"
      ? () => removeFile(store, source)
      : () => rename(store, { from: source, to: store.resolve([], "taken.txt") });
    await assertRejects(change, RefusalError, "points outside");
    assertEquals(swap.swapped, true);
    assertEquals(await namesIn(dirs.outside.path), ["secret.txt"]);
    assertEquals(await Deno.readTextFile(dirs.outside.file("secret.txt")), "OUTSIDE");
    assertEquals(await namesIn(dirs.root.path), ["inside.txt", "sub", "sub-real"]);
  });
}

Deno.test("a destination folder swapped for a symlink mid-rename: the file stays inside", async () => {
  await using dirs = await fixture();
  // The swap comes when the file is about to move into the destination's folder.
  const swap = swapper(dirs, (path) => path.startsWith(dirs.root.file("sub") + "/.ferry-"));
  const store = await FileStore.open(dirs.root.path, { checkpoint: swap.checkpoint });
  await assertRejects(
    () =>
      rename(store, {
        from: store.resolve([], "inside.txt"),
        to: store.resolve([], "sub/moved.txt"),
      }),
    RefusalError,
    "points outside",
  );
  assertEquals(swap.swapped, true);
  assertEquals(await namesIn(dirs.outside.path), ["secret.txt"]);
  assertEquals(await Deno.readTextFile(dirs.root.file("inside.txt")), "mine");
});

Deno.test("a very deep tree works all the way down", async () => {
  await using dirs = await fixture();
  const store = await FileStore.open(dirs.root.path);
  const segments = Array.from({ length: 150 }, (_, i) => `level-${i}`);
  for (let depth = 1; depth <= segments.length; depth++) {
    await makeFolder(store, store.resolve([], segments.slice(0, depth).join("/")));
  }
  const deep = segments.join("/");
  await using upload = await store.beginUpload(`${deep}/bottom.txt`);
  await upload.write(new TextEncoder().encode("down here"));
  await upload.commit();
  const { file, size } = await store.openForReading(store.resolve(segments, "bottom.txt"));
  file.close();
  assertEquals(size, 9);
  const listing = await tree(store, store.resolve([], segments[0]));
  assertEquals(listing.split("\n").length - 1, segments.length); // 149 folders and the file
  await removeFile(store, store.resolve(segments, "bottom.txt"));
  await removeFolder(store, store.resolve([], deep));
});

Deno.test("a path longer than the wire carries is refused in one sentence", async () => {
  await using dirs = await fixture();
  const store = await FileStore.open(dirs.root.path);
  const long = Array.from({ length: 20 }, () => "x".repeat(250)).join("/");
  await assertRejects(
    () => store.openForReading(long),
    RefusalError,
    "is longer than 4000 bytes",
  );
  await assertRejects(() => store.openForReading("y".repeat(256)), RefusalError, "longer than 255");
});

Deno.test("a folder deeper than the system's path limit is a clean refusal", async () => {
  await using dirs = await fixture();
  // 20 levels of 230 bytes: 4600 bytes below the root, past PATH_MAX (4096). Made with
  // relative mkdirs from inside, the only way such a tree can be made.
  const segment = "d".repeat(230);
  const script =
    `cd "$1" && for i in $(seq 20); do mkdir ${segment} && cd ${segment}; done && echo x > f`;
  const made = await new Deno.Command("bash", { args: ["-c", script, "bash", dirs.root.path] })
    .output();
  assertEquals(made.success, true);
  const store = await FileStore.open(dirs.root.path);
  const cwd = Array.from({ length: 20 }, () => segment);
  const error = await assertRejects(
    () => store.openForReading(store.resolve(cwd, "f")),
    RefusalError,
    'Cannot read "f": ',
  );
  assertEquals(/os error|\//.test(error.message), false, error.message);
  await assertRejects(() => store.list(store.resolve(cwd)), RefusalError, "Cannot list");
  await new Deno.Command("bash", {
    args: ["-c", `cd "$1" && rm -rf ${segment}`, "bash", dirs.root.path],
  })
    .output();
});
