import { assertEquals, assertRejects } from "../support/assert.ts";
import { AtomicFile } from "../../src/common/atomic_file.ts";
import { RefusalError } from "../../src/common/errors.ts";
import { Upload } from "../../src/server/upload.ts";
import { namesIn, tempDir } from "../support/helpers.ts";

Deno.test("`Upload.commit()` refuses a name taken meanwhile, and replaces one when asked", async () => {
  await using dir = await tempDir();
  const write = async (replace: boolean) => {
    const file = await AtomicFile.create(dir.file("f"), dir.file(`.tmp-${replace}`));
    const upload = new Upload("f", file, replace);
    await upload.write(new TextEncoder().encode(replace ? "new" : "lost"));
    return upload;
  };
  await Deno.writeTextFile(dir.file("f"), "old");
  await using taken = await write(false);
  await assertRejects(() => taken.commit(), RefusalError, '"f" already exists on the server');
  await using replacing = await write(true);
  await replacing.commit();
  assertEquals([await Deno.readTextFile(dir.file("f")), await namesIn(dir.path)], ["new", ["f"]]);
});

Deno.test("`Upload.commit()` with replace never replaces a folder", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(dir.file("d"));
  await using upload = new Upload(
    "d",
    await AtomicFile.create(dir.file("d"), dir.file(".tmp")),
    true,
  );
  await assertRejects(
    () => upload.commit(),
    RefusalError,
    '"d" is a folder, which is never replaced',
  );
  assertEquals(await namesIn(dir.path), ["d"]);
});
