import { assertEquals, assertRejects } from "../support/assert.ts";
import { PartialDownload, partialPaths } from "../../src/client/partial_download.ts";
import { createDigest } from "../../src/common/digest.ts";
import { LocalFileError } from "../../src/common/errors.ts";
import { namesIn, sha256, tempDir } from "../support/helpers.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("`partialPaths()` names a hidden pair beside the destination, the same every time", async () => {
  const a = await partialPaths("/x/y/report.pdf");
  assertEquals(a, await partialPaths("/x/y/report.pdf"));
  assertEquals(a.data.replace(/\.part$/, ".json"), a.info);
  assertEquals(/^\/x\/y\/\.ferry-partial-[0-9a-f]{32}\.part$/.test(a.data), true);
  assertEquals((await partialPaths("/x/y/other.pdf")).data === a.data, false);
});

Deno.test("`PartialDownload` keeps its bytes and description when disposed, and finds them again", async () => {
  await using dir = await tempDir();
  const destination = dir.file("f.bin");
  {
    await using partial = await PartialDownload.open(destination);
    assertEquals([partial.held, partial.info], [0, undefined]);
    await partial.restart(0, { remote: "f.bin", size: 10, version: "10-1" });
    await partial.file.write(bytes("hello"));
  }
  await using again = await PartialDownload.open(destination);
  assertEquals([again.held, again.info], [5, { remote: "f.bin", size: 10, version: "10-1" }]);
  assertEquals((await again.digest("sha256")).hex(), sha256(bytes("hello")));
  await again.file.write(bytes("world"));
  await again.commit();
  assertEquals(await Deno.readTextFile(destination), "helloworld");
  assertEquals(await namesIn(dir.path), ["f.bin"]);
});

Deno.test("`PartialDownload` leaves nothing when it holds nothing, or was discarded", async () => {
  await using dir = await tempDir();
  {
    await using _empty = await PartialDownload.open(dir.file("a"));
  }
  {
    await using partial = await PartialDownload.open(dir.file("b"));
    await partial.restart(0, { remote: "b" });
    await partial.file.write(bytes("bad"));
    partial.discard();
  }
  assertEquals(await namesIn(dir.path), []);
});

Deno.test("`PartialDownload` without its description holds nothing to continue from", async () => {
  await using dir = await tempDir();
  const paths = await partialPaths(dir.file("f"));
  await Deno.writeTextFile(paths.data, "stray bytes");
  await using partial = await PartialDownload.open(dir.file("f"));
  assertEquals(partial.held, 0);
});

Deno.test("`PartialDownload` refuses a second download to the same place while one runs", async () => {
  await using dir = await tempDir();
  await using _first = await PartialDownload.open(dir.file("f"));
  await assertRejects(
    () => PartialDownload.open(dir.file("f")),
    LocalFileError,
    `Another download to "${dir.file("f")}" is under way`,
  );
});

Deno.test("`PartialDownload.remember()` keeps the hash state for this run, and only while the file is untouched", async () => {
  await using dir = await tempDir();
  const destination = dir.file("f.bin");
  {
    await using partial = await PartialDownload.open(destination);
    await partial.restart(0, { remote: "f.bin" });
    // A state that is not the file's: what `digest()` answers shows where it came from.
    const tracked = partial.track(await createDigest("sha256"), 0);
    tracked.update(bytes("other"));
    await partial.file.write(bytes("hello"));
    await partial.remember("sha256");
  }
  {
    await using again = await PartialDownload.open(destination);
    assertEquals((await again.digest("sha256")).hex(), sha256(bytes("other")), "the state kept");
  }
  // Written by someone else: no longer the file the state was of, so the bytes are read.
  // (A write of the same size in the same millisecond would not show: the end-to-end
  // check of the whole file then fails, and the download starts over.)
  const { data } = await partialPaths(destination);
  await Deno.writeFile(data, bytes("jellos"));
  await using touched = await PartialDownload.open(destination);
  assertEquals((await touched.digest("sha256")).hex(), sha256(bytes("jellos")));
});
