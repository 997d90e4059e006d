/**
 * Tab completion as `node:readline` asks for it: the candidates and the text they
 * replace, written the way the line needs them (escaped, or inside the quote opened).
 */
import { assertEquals } from "../support/assert.ts";
import { type Candidate, complete, localEntries } from "../../src/cli/completion.ts";
import { argKind, optionWords } from "../../src/cli/repl_commands.ts";
import { tempDir } from "../support/helpers.ts";

const REMOTE: Candidate[] = [
  { name: "holiday video.mp4", folder: false },
  { name: "holidays", folder: true },
  { name: "notes.txt", folder: false },
  { name: 'say "hi".txt', folder: false },
];

const REMOTE_FOLDERS: Record<string, Candidate[]> = {
  "": REMOTE,
  "holidays/": [{ name: "2024.jpg", folder: false }, { name: "old", folder: true }],
};

/** The real command table's arguments and options; the remote and local folders asked for. */
function sources(local: Record<string, Candidate[]> = {}) {
  const asked: string[] = [];
  const remoteAsked: string[] = [];
  return {
    asked,
    remoteAsked,
    commands: ["get", "put", "ls", "features", "quit"],
    argKind,
    options: optionWords,
    remote: (folder: string) => {
      remoteAsked.push(folder);
      return Promise.resolve(REMOTE_FOLDERS[folder] ?? []);
    },
    local: (folder: string) => {
      asked.push(folder);
      return Promise.resolve(local[folder] ?? []);
    },
  };
}

Deno.test("complete() finishes a command word, and offers every command on an empty line", async () => {
  assertEquals(await complete("fea", sources()), [["features "], "fea"]);
  assertEquals(await complete("  q", sources()), [["quit "], "q"]);
  assertEquals((await complete("", sources()))[0].length, 5);
  assertEquals(await complete("zz", sources()), [[], "zz"]);
});

Deno.test("complete() escapes a server name's spaces, and ends a folder with /", async () => {
  assertEquals(await complete("get ho", sources()), [
    ["holiday\\ video.mp4 ", "holidays/"],
    "ho",
  ]);
  assertEquals(await complete("get holiday\\ v", sources()), [
    ["holiday\\ video.mp4 "],
    "holiday\\ v",
  ]);
  assertEquals(await complete("GET no", sources()), [["notes.txt "], "no"]);
  assertEquals(await complete("get say", sources()), [['say\\ \\"hi\\".txt '], "say"]);
});

Deno.test("complete() stays inside the quote the user opened", async () => {
  assertEquals(await complete('get "holiday v', sources()), [
    ['"holiday video.mp4" '],
    '"holiday v',
  ]);
  assertEquals(await complete("get 'hol", sources()), [
    ["'holiday video.mp4' ", "'holidays/"],
    "'hol",
  ]);
  assertEquals(await complete('get "say', sources()), [['"say \\"hi\\".txt" '], '"say']);
});

Deno.test("complete() lists the folder typed so far for a local path, dot files when asked", async () => {
  const local = {
    "": [{ name: "a.txt", folder: false }, { name: ".hidden", folder: false }],
    "sub/": [{ name: "deep", folder: true }, { name: "b c.txt", folder: false }],
  };
  const s = sources(local);
  assertEquals(await complete("put ", s), [["a.txt "], ""]);
  assertEquals(await complete("put .", s), [[".hidden "], "."]);
  assertEquals(await complete("put sub/", s), [["sub/b\\ c.txt ", "sub/deep/"], "sub/"]);
  assertEquals(await complete("get notes.txt sub/d", s), [["sub/deep/"], "sub/d"]);
  assertEquals(s.asked, ["", "", "sub/", "sub/"]);
});

Deno.test("complete() lists the server folder typed so far", async () => {
  const s = sources();
  assertEquals(await complete("get holidays/", s), [
    ["holidays/2024.jpg ", "holidays/old/"],
    "holidays/",
  ]);
  assertEquals(await complete("cd holidays/o", s), [["holidays/old/"], "holidays/o"]);
  assertEquals(s.remoteAsked, ["holidays/", "holidays/"]);
});

Deno.test("complete() offers a command's options, and skips them when counting arguments", async () => {
  const s = sources({ "": [{ name: "photos", folder: true }] });
  assertEquals(await complete("get -", s), [["--recursive ", "--replace ", "-f ", "-r "], "-"]);
  assertEquals(await complete("ls --j", s), [["--json "], "--j"]);
  assertEquals(await complete("get -r -f no", s), [["notes.txt "], "no"]);
  assertEquals(await complete("put -r ph", s), [["photos/"], "ph"]);
  assertEquals(await complete("rename -f notes.txt hol", s), [
    ["holiday\\ video.mp4 ", "holidays/"],
    "hol",
  ]);
  assertEquals(await complete("rm -- -", s), [[], "-"]); // After --, a name: none starts so.
  assertEquals(await complete("pwd -", s), [[], "-"]); // No options at all.
});

Deno.test("complete() goes on completing every argument of a command that takes many", async () => {
  const s = sources({ "": [{ name: "photos", folder: true }] });
  assertEquals(await complete("rm notes.txt no", s), [["notes.txt "], "no"]);
  assertEquals(await complete("mkdir a b holidays", s), [["holidays/"], "holidays"]);
  assertEquals(await complete("mget -f a no", s), [["notes.txt "], "no"]);
  assertEquals(await complete("mput a p", s), [["photos/"], "p"]);
  assertEquals(await complete("lcd p", s), [["photos/"], "p"]);
});

Deno.test("complete() offers nothing where nothing completes", async () => {
  assertEquals(await complete("ls x", sources()), [[], "x"]); // No name starts so.
  assertEquals(await complete("pwd x", sources()), [[], "x"]); // pwd takes no argument.
  assertEquals(await complete("get a b c", sources()), [[], "c"]); // Past the last argument.
  assertEquals(await complete("!ls no", sources()), [[], ""]);
  assertEquals(await complete("get # no", sources()), [[], ""]); // A comment.
});

Deno.test("localEntries() lists a folder, following links to folders; none for a missing one", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(dir.file("sub"));
  await Deno.writeTextFile(dir.file("sub", "a.txt"), "a");
  await Deno.symlink(dir.file("sub"), dir.file("sub", "link"));
  await Deno.symlink(dir.file("sub", "a.txt"), dir.file("sub", "file-link"));
  const entries = await localEntries(dir.file("sub") + "/");
  assertEquals(entries.sort((a, b) => a.name.localeCompare(b.name)), [
    { name: "a.txt", folder: false },
    { name: "file-link", folder: false },
    { name: "link", folder: true },
  ]);
  assertEquals(await localEntries(dir.file("missing") + "/"), []);
});
