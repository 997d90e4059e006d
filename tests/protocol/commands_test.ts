import { assert, assertEquals } from "../support/assert.ts";
import {
  type Command,
  COMMANDS,
  formatCommand,
  MAX_COMMAND_BYTES,
  parseCommand,
  type ParsedCommand,
} from "../../src/protocol/commands.ts";
import { BASE_FEATURES, FeatureSet, offerOf } from "../../src/protocol/features.ts";

const parse = (text: string) => parseCommand(text, BASE_FEATURES);
const unknown = (verb: string): ParsedCommand => ({
  verb: "invalid",
  reason: `Unknown command "${verb}": expected ls, get, put or quit`,
});

Deno.test("`MAX_COMMAND_BYTES` is the 4096-byte limit of §2.3", () => {
  assertEquals(MAX_COMMAND_BYTES, 4096);
});

Deno.test("`parseCommand()` reads the four base commands", () => {
  assertEquals(parse("ls"), { verb: "ls" });
  assertEquals(parse("quit"), { verb: "quit" });
  assertEquals(parse("get a.txt"), { verb: "get", name: "a.txt" });
  assertEquals(parse("put a.txt"), { verb: "put", name: "a.txt" });
});

Deno.test("`parseCommand()` takes the name literally after the first space", () => {
  assertEquals(parse("get my file.txt"), { verb: "get", name: "my file.txt" });
  assertEquals(parse("put a b.txt"), { verb: "put", name: "a b.txt" });
  assertEquals(parse("put  leading"), { verb: "put", name: " leading" });
  assertEquals(parse("get trailing "), { verb: "get", name: "trailing " });
  assertEquals(parse("get naïve 名前.txt"), { verb: "get", name: "naïve 名前.txt" });
  assertEquals(parse('get "quoted"'), { verb: "get", name: '"quoted"' });
});

Deno.test("`parseCommand()` accepts verbs in any case", () => {
  assertEquals(parse("LS"), { verb: "ls" });
  assertEquals(parse("Get x"), { verb: "get", name: "x" });
  assertEquals(parse("QuIt"), { verb: "quit" });
  assertEquals(parse("GET Name.TXT"), { verb: "get", name: "Name.TXT" });
});

Deno.test("`parseCommand()` allows only whitespace after ls and quit", () => {
  assertEquals(parse("ls "), { verb: "ls" });
  assertEquals(parse("ls   "), { verb: "ls" });
  assertEquals(parse("quit \t"), { verb: "quit" });
  assertEquals(parse("ls now"), { verb: "invalid", reason: "Command ls takes no argument" });
  assertEquals(parse("quit now"), { verb: "invalid", reason: "Command quit takes no argument" });
});

Deno.test("`parseCommand()` refuses get and put without a name", () => {
  assertEquals(parse("get"), { verb: "invalid", reason: "Command get needs a file name" });
  assertEquals(parse("get "), { verb: "invalid", reason: "Command get needs a file name" });
  assertEquals(parse("put"), { verb: "invalid", reason: "Command put needs a file name" });
  assertEquals(parse("put "), { verb: "invalid", reason: "Command put needs a file name" });
});

Deno.test("`parseCommand()` refuses unknown verbs with the message of §4.6", () => {
  assertEquals(parse("frob x"), unknown("frob"));
  assertEquals(
    parse("frob x"),
    { verb: "invalid", reason: 'Unknown command "frob": expected ls, get, put or quit' },
  );
  assertEquals(parse("delete x"), unknown("delete"));
  assertEquals(parse("FROB"), unknown("frob"));
  assertEquals(parse("lsx"), unknown("lsx"));
  assertEquals(parse(" ls"), unknown(""));
});

Deno.test('`parseCommand()` reads an empty command as the unknown command ""', () => {
  assertEquals(parse(""), unknown(""));
});

Deno.test("`parseCommand()` does not take Object's own properties for verbs", () => {
  for (const word of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
    assertEquals(parse(`${word} x`), unknown(word.toLowerCase()));
  }
});

Deno.test("`parseCommand()` quotes an unknown verb safely and cuts it at 40 characters", () => {
  assertEquals(parse("\x1b[2j"), unknown("\\u001b[2j"));
  assertEquals(parse('a"b\\c'), unknown('a\\"b\\\\c'));
  assertEquals(parse("v".repeat(50)), unknown("v".repeat(40) + "..."));
});

Deno.test("`parseCommand()` refuses hostile names with the name rule's messages", () => {
  for (
    const [name, reason] of [
      ["..", 'File name ".." is not allowed: it names a folder, not a file'],
      [".", 'File name "." is not allowed: it names a folder, not a file'],
      ["../etc/passwd", 'File name "../etc/passwd" is not allowed: it must not contain / or \\'],
      ["/etc/passwd", 'File name "/etc/passwd" is not allowed: it must not contain / or \\'],
      ["a/b", 'File name "a/b" is not allowed: it must not contain / or \\'],
      ["a\\b", 'File name "a\\\\b" is not allowed: it must not contain / or \\'],
      ["x\0y", 'File name "x\\u0000y" is not allowed: it contains a control character'],
      ["\x1b[2J", 'File name "\\u001b[2J" is not allowed: it contains a control character'],
      ["x".repeat(256), `File name "${"x".repeat(40)}..." is longer than 255 bytes`],
    ]
  ) {
    const refusal: ParsedCommand = { verb: "invalid", reason };
    assertEquals(parse(`get ${name}`), refusal);
    assertEquals(parse(`put ${name}`), refusal);
  }
});

Deno.test("`parseCommand()` reads `feat` with its offer", () => {
  assertEquals(parse("feat"), { verb: "feat", offer: new Map() });
  assertEquals(parse("feat "), { verb: "feat", offer: new Map() });
  assertEquals(
    parse("feat abort digest=xxh128,sha256"),
    { verb: "feat", offer: new Map([["abort", []], ["digest", ["xxh128", "sha256"]]]) },
  );
  assertEquals(parse("FEAT abort"), { verb: "feat", offer: new Map([["abort", []]]) });
});

Deno.test("`parseCommand()` refuses `feat` with a malformed offer", () => {
  assertEquals(parse("feat Abort"), {
    verb: "invalid",
    reason: 'Feature "Abort" is not a name or name=value,...',
  });
});

Deno.test("`COMMANDS` says how the server answers each verb", () => {
  assertEquals(
    Object.fromEntries(Object.entries(COMMANDS).map(([verb, spec]) => [verb, spec.reply])),
    {
      ls: "port",
      get: "port",
      put: "port",
      quit: "none",
      feat: "ok",
      auth: "ok",
      cd: "ok",
      pwd: "ok",
      list: "port",
      tree: "port",
      hash: "ok",
      replace: "port",
      mkdir: "ok",
      rmdir: "ok",
      rm: "ok",
      rename: "ok",
      "rename-over": "ok",
      reget: "port",
      reput: "port",
      fetch: "inline",
    },
  );
});

Deno.test("`parseCommand()` refuses an extension verb the session has not agreed", () => {
  // Holds for every verb in the table: base verbs parse under BASE_FEATURES, and any
  // verb that names a feature is refused as unknown until `feat` agrees it.
  for (const [verb, spec] of Object.entries(COMMANDS)) {
    const parsed = parse(verb);
    if (spec.feature === undefined) {
      const reason = parsed.verb === "invalid" ? parsed.reason : "";
      assert(!reason.startsWith("Unknown command"), `${verb} was refused: ${reason}`);
    } else {
      assertEquals(parsed, {
        verb: "invalid",
        reason: `Unknown command "${verb}": expected ls, get, put or quit ` +
          `(${verb} needs the "${spec.feature}" extension, agreed with feat)`,
      });
    }
  }
});

Deno.test("`formatCommand()` writes the frame text of each verb", () => {
  assertEquals(formatCommand({ verb: "ls" }), "ls");
  assertEquals(formatCommand({ verb: "quit" }), "quit");
  assertEquals(formatCommand({ verb: "get", name: "a b" }), "get a b");
  assertEquals(formatCommand({ verb: "put", name: " x" }), "put  x");
  assertEquals(formatCommand({ verb: "feat", offer: new Map() }), "feat");
  assertEquals(
    formatCommand({
      verb: "feat",
      offer: offerOf([{ name: "abort" }, { name: "digest", values: ["xxh128", "sha256"] }]),
    }),
    "feat abort digest=xxh128,sha256",
  );
});

Deno.test("`formatCommand()` round-trips through `parseCommand()`", () => {
  const commands: Command[] = [
    { verb: "ls" },
    { verb: "get", name: "a b" },
    { verb: "put", name: "  spaced  " },
    { verb: "get", name: "名前.txt" },
    { verb: "quit" },
    { verb: "feat", offer: new Map() },
    { verb: "feat", offer: new Map([["abort", []], ["digest", ["sha256"]]]) },
  ];
  for (const command of commands) {
    assertEquals(parse(formatCommand(command)), command);
  }
});

const EVERYTHING = new FeatureSet([
  ["path", undefined],
  ["list-long", undefined],
  ["manage", undefined],
  ["hash", undefined],
]);
const parseAll = (text: string) => parseCommand(text, EVERYTHING);

Deno.test("`parseCommand()` reads paths where the session agreed `path`, names otherwise", () => {
  assertEquals(parseAll("get photos/a.jpg"), { verb: "get", name: "photos/a.jpg" });
  assertEquals(parseAll("put ../up.txt"), { verb: "put", name: "../up.txt" });
  assertEquals(parseAll("ls photos"), { verb: "ls", path: "photos" });
  assertEquals(parseAll("ls"), { verb: "ls" });
  assertEquals(parse("ls photos"), { verb: "invalid", reason: "Command ls takes no argument" });
  assertEquals(parse("get photos/a.jpg"), {
    verb: "invalid",
    reason: 'File name "photos/a.jpg" is not allowed: it must not contain / or \\',
  });
  assertEquals(parseAll("get a//b"), {
    verb: "invalid",
    reason: 'Path "a//b" is not allowed: it has an empty or "." segment',
  });
  assertEquals(parseAll("get /etc/passwd"), {
    verb: "invalid",
    reason: 'Path "/etc/passwd" is not allowed: it must be relative',
  });
});

Deno.test("`parseCommand()` reads the extension verbs", () => {
  assertEquals(parseAll("cd photos/2024"), { verb: "cd", path: "photos/2024" });
  assertEquals(parseAll("pwd"), { verb: "pwd" });
  assertEquals(parseAll("list"), { verb: "list" });
  assertEquals(parseAll("tree photos"), { verb: "tree", path: "photos" });
  assertEquals(parseAll("hash a b.txt"), { verb: "hash", path: "a b.txt" });
  assertEquals(parseAll("replace report.pdf"), { verb: "replace", name: "report.pdf" });
  assertEquals(parseAll("mkdir new folder"), { verb: "mkdir", path: "new folder" });
  assertEquals(parseAll("rmdir old"), { verb: "rmdir", path: "old" });
  assertEquals(parseAll("rm notes.txt"), { verb: "rm", path: "notes.txt" });
  assertEquals(parseAll("rename a b\nc/d e"), { verb: "rename", from: "a b", to: "c/d e" });
  assertEquals(parseAll("rename-over x\ny"), { verb: "rename-over", from: "x", to: "y" });
});

Deno.test("`parseCommand()` refuses extension verbs without what they need", () => {
  assertEquals(parseAll("cd"), { verb: "invalid", reason: "Command cd needs a path" });
  assertEquals(parseAll("rm "), { verb: "invalid", reason: "Command rm needs a path" });
  assertEquals(parseAll("pwd x"), { verb: "invalid", reason: "Command pwd takes no argument" });
  for (const text of ["rename a", "rename a\n", "rename \nb", "rename a\nb\nc"]) {
    assertEquals(parseAll(text), {
      verb: "invalid",
      reason: "Command rename needs two paths, separated by a line feed",
    }, JSON.stringify(text));
  }
  assertEquals(parseAll("rename a\n../../x"), { verb: "rename", from: "a", to: "../../x" });
  assertEquals(parseAll("mkdir a\tb"), {
    verb: "invalid",
    reason:
      'Name "a\\u0009b" is not allowed: it contains a control character (in path "a\\u0009b")',
  });
});

Deno.test("`formatCommand()` round-trips the extension verbs through `parseCommand()`", () => {
  const commands: Command[] = [
    { verb: "ls", path: "a/b" },
    { verb: "cd", path: ".." },
    { verb: "pwd" },
    { verb: "list", path: "x y" },
    { verb: "tree" },
    { verb: "hash", path: "f" },
    { verb: "replace", name: "dir/f" },
    { verb: "mkdir", path: "n" },
    { verb: "rmdir", path: "n/" },
    { verb: "rm", path: "f" },
    { verb: "rename", from: "a", to: "b c" },
    { verb: "rename-over", from: "a/b", to: "c" },
  ];
  for (const command of commands) assertEquals(parseAll(formatCommand(command)), command);
  assertEquals(formatCommand({ verb: "rename", from: "a", to: "b" }), "rename a\nb");
});
