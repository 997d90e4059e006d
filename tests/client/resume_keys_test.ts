import { assertEquals } from "../support/assert.ts";
import { loadResumeSecret, newResumeSecret, uploadKey } from "../../src/client/resume_keys.ts";
import { tempDir } from "../support/helpers.ts";

const UPLOAD = { remote: "a.bin", local: "/home/me/a.bin", size: 10, mtime: 1 };

Deno.test("`uploadKey()` is 32 hex digits, the same for the same upload, other for any change", async () => {
  const secret = newResumeSecret();
  const key = await uploadKey(secret, UPLOAD);
  assertEquals(/^[0-9a-f]{32}$/.test(key), true);
  assertEquals(await uploadKey(secret, { ...UPLOAD }), key);
  const others = await Promise.all([
    uploadKey(newResumeSecret(), UPLOAD),
    uploadKey(secret, { ...UPLOAD, remote: "b.bin" }),
    uploadKey(secret, { ...UPLOAD, local: "/tmp/a.bin" }),
    uploadKey(secret, { ...UPLOAD, size: 11 }),
    uploadKey(secret, { ...UPLOAD, mtime: 2 }),
  ]);
  assertEquals(others.includes(key), false);
});

Deno.test("`loadResumeSecret()` makes the secret once, readable by this user only, then reads it", async () => {
  await using dir = await tempDir();
  const path = dir.file("ferry", "resume_secret");
  const secret = await loadResumeSecret(path);
  assertEquals(/^[0-9a-f]{32}$/.test(secret), true);
  assertEquals(await loadResumeSecret(path), secret);
  if (Deno.build.os !== "windows") assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
});
