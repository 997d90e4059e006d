/**
 * The `ftp>` prompt on a real pseudo-terminal (tmux), typed at and read from the
 * screen the way a person uses it: editing, history across sessions, Tab, Ctrl-C
 * during a transfer, a resize under a progress bar, and secure mode's first contact.
 */
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { spawnServe } from "../support/ferry_process.ts";
import { namesIn, tempDir } from "../support/helpers.ts";
import { scriptedServer } from "../support/scripted_server.ts";
import { ferryCommand, HAS_TMUX, Terminal } from "../support/terminal.ts";
import { encodeField, encodeFrame } from "../../src/protocol/field.ts";

const ignore = !HAS_TMUX;
if (!HAS_TMUX) console.warn("tmux is not installed: the terminal tests are skipped");

/** A classic server sharing `files`, and a work folder and state folder for the client. */
async function setting(files: Record<string, string>) {
  const shared = await tempDir();
  const work = await tempDir();
  const state = await tempDir();
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(shared.file(name), text);
  }
  const server = await spawnServe(shared.path, ["--plain"]);
  return {
    shared,
    work,
    state,
    server,
    open: (columns = 100) =>
      Terminal.open(ferryCommand(["connect", "--plain", `127.0.0.1:${server.port}`]), {
        cwd: work.path,
        env: { XDG_STATE_HOME: state.path, HOME: work.path },
        columns,
      }),
    async [Symbol.asyncDispose]() {
      await server.stop();
      for (const dir of [shared, work, state]) await dir[Symbol.asyncDispose]();
    },
  };
}

Deno.test({
  name: "the prompt edits a line with arrows and Ctrl keys, and shows no escape codes",
  ignore,
  async fn() {
    await using place = await setting({ "notes.txt": "hello\n" });
    await using tty = await place.open();
    await tty.waitFor("ftp> ");
    // Typed with slips, mended with Ctrl-U, Ctrl-A, Ctrl-E, Left, Backspace and Ctrl-W.
    await tty.type("put wrong");
    await tty.press("C-u");
    await tty.type("et nXotes.txt");
    await tty.press("C-a");
    await tty.type("g");
    await tty.press("C-e", ...Array(8).fill("Left"), "BSpace", "C-e");
    await tty.type(" junk");
    await tty.press("C-w", "Enter");
    const screen = await tty.waitFor("sha256 verified");
    assertStringIncludes(screen, 'get "notes.txt": 6 B in');
    assertEquals(await Deno.readTextFile(place.work.file("notes.txt")), "hello\n");
    await tty.press("Up");
    await tty.waitFor("ftp> get notes.txt");
    await tty.press("C-u", "C-l");
    await tty.type("ls");
    await tty.press("Enter");
    const listed = await tty.waitFor("notes.txt\nftp>");
    assert(!/\\u001b|\[D|\\u000c/.test(listed), listed);
    await tty.press("C-d");
    assertEquals(await tty.exitCode(), 0);
  },
});

Deno.test({
  name: "Ctrl-C at the prompt keeps a wrapped line on screen with ^C, and starts an empty one",
  ignore,
  async fn() {
    await using place = await setting({ "notes.txt": "n" });
    await using tty = await place.open(40);
    await tty.waitFor("ftp> ");
    const long = "get a-long-name-that-wraps-onto-three-rows-of-the-terminal.txt"; // 5 + 62 columns.
    await tty.type(long);
    await tty.waitFor("terminal.txt");
    await tty.press("C-c");
    await tty.type("ls\n");
    const screen = await tty.waitFor("notes.txt\nftp>");
    // The whole line (its rows joined again by the capture), ^C, the next prompt.
    assertStringIncludes(screen, `ftp> ${long}^C\nftp> ls\nnotes.txt\nftp> `);
    await tty.press("C-d");
    assertEquals(await tty.exitCode(), 0);
  },
});

Deno.test({
  name: "keys that come in one burst with Ctrl-C belong to the new line",
  ignore,
  async fn() {
    await using place = await setting({ "notes.txt": "n" });
    await using tty = await place.open();
    await tty.waitFor("ftp> ");
    await tty.type("get nothing");
    await tty.waitFor("nothing");
    await tty.press("C-c", "l", "s", "Enter"); // One write: the program reads them together.
    const screen = await tty.waitFor("notes.txt\nftp>");
    assertStringIncludes(screen, "ftp> get nothing^C\nftp> ls\nnotes.txt\nftp> ");
    await tty.press("C-d");
    assertEquals(await tty.exitCode(), 0);
  },
});

Deno.test({
  name: "the prompt's history outlives the session, and Ctrl-R searches it",
  ignore,
  async fn() {
    await using place = await setting({ "a.txt": "a", "b.txt": "b" });
    {
      await using first = await place.open();
      await first.waitFor("ftp> ");
      await first.type("ls\n");
      await first.waitFor("b.txt\nftp>");
      await first.type("get a.txt\n");
      await first.waitFor("sha256 verified");
      await first.type("quit\n");
      assertEquals(await first.exitCode(), 0);
    }
    const historyFile = `${place.state.path}/ferry/history`;
    assertEquals(await Deno.readTextFile(historyFile), "ls\nget a.txt\nquit\n");
    assertEquals((await Deno.stat(historyFile)).mode! & 0o777, 0o600);
    await using second = await place.open();
    await second.waitFor("ftp> ");
    await second.press("Up", "Up");
    await second.waitFor("ftp> get a.txt");
    await second.press("C-u", "C-r");
    await second.type("l");
    await second.waitFor("(reverse-i-search)'l': ls");
    await second.press("Enter");
    const screen = await second.waitFor("b.txt\nftp>");
    assertStringIncludes(screen, "a.txt\nb.txt\n");
    await second.press("C-d");
    assertEquals(await second.exitCode(), 0);
  },
});

Deno.test({
  name: "Tab completes a command and a name on the server, quoting its space",
  ignore,
  async fn() {
    await using place = await setting({ "holiday video.mp4": "film", "notes.txt": "n" });
    await using tty = await place.open();
    await tty.waitFor("ftp> ");
    await tty.type("fea");
    await tty.press("Tab");
    await tty.waitFor("ftp> features ");
    await tty.press("C-u");
    await tty.type("get ho");
    await tty.press("Tab");
    await tty.waitFor("ftp> get holiday\\ video.mp4 ");
    await tty.press("Enter");
    await tty.waitFor('get "holiday video.mp4": 4 B');
    assertEquals(await Deno.readTextFile(place.work.file("holiday video.mp4")), "film");
    // Typed without quotes, the name gets a hint.
    await tty.type("get holiday video.mp4 copy\n");
    const screen = await tty.waitFor("to use a name with spaces");
    assertStringIncludes(screen, 'quote it: get "holiday video.mp4 copy"');
    // Tab Tab, quick as one key: the names listed, and no tab typed into the line.
    await tty.type("get ");
    await tty.press("Tab", "Tab");
    await tty.waitFor(/holiday\\ video\.mp4 +notes\.txt/);
    await tty.type("n");
    await tty.press("Tab");
    await tty.waitFor(/^ftp> get notes\.txt $/m);
    await tty.press("C-u");
    await tty.type("quit\n");
    assertEquals(await tty.exitCode(), 0);
  },
});

Deno.test({
  name: "!COMMAND runs here, and a shell opened by ! gets the terminal and gives it back",
  ignore,
  async fn() {
    await using place = await setting({ "notes.txt": "n" });
    await Deno.writeTextFile(place.work.file("local.txt"), "l");
    // A ferry that read the terminal while the inner shell had it would be stopped
    // (SIGTTIN), and the outer shell say so.
    await using tty = await fromShell(place);
    await tty.type("!ls\n");
    await tty.waitFor("local.txt\nftp> ");
    await tty.type("!false\n");
    await tty.waitFor("ferry: The local command exited with code 1\nftp> ");
    for (let round = 1; round <= 2; round++) {
      await tty.type("!\n");
      await tty.type(`echo inner ${round}; exit\n`);
      await tty.waitFor(`inner ${round}\nftp> `);
    }
    await tty.type("ls\n");
    const screen = await tty.waitFor("notes.txt\nftp> ");
    assert(!screen.includes("Stopped"), screen);
    await tty.type("quit\n");
    // Only once ferry is gone: what is typed while it runs, it reads, even after quit.
    await tty.waitFor(/ftp> quit\n\$ ?\n?$/);
    await tty.type("exit $?\n"); // ferry's code, as bash's.
    assertEquals(await tty.exitCode(), 0);
  },
});

/**
 * ferry at the prompt, started from a job-control shell as a person starts it (so
 * that Ctrl-Z and `fg`, and a shell of its own, behave as they do for a person).
 */
async function fromShell(place: Awaited<ReturnType<typeof setting>>): Promise<Terminal> {
  const tty = await Terminal.open(["bash", "--norc", "--noprofile", "-i"], {
    cwd: place.work.path,
    env: { XDG_STATE_HOME: place.state.path, HOME: place.work.path, PS1: "$ " },
  });
  await tty.waitFor("$ ");
  const quoted = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  const command = ferryCommand(["connect", "--plain", `127.0.0.1:${place.server.port}`]);
  await tty.type(`${command.map(quoted).join(" ")}\n`);
  await tty.waitFor("ftp> ");
  return tty;
}

Deno.test({
  name: "Ctrl-Z at the prompt stops ferry, and after fg the line takes keys again",
  ignore,
  async fn() {
    await using place = await setting({ "notes.txt": "n" });
    await using tty = await fromShell(place);
    await tty.type("get no");
    await tty.press("C-z");
    await tty.waitFor("Stopped");
    await tty.type("fg\n");
    await tty.waitFor(/fg\n.*\nftp> get no/);
    await tty.type("tes.txt\n");
    await tty.waitFor('get "notes.txt": 1 B');
    await tty.type("quit\n");
    await tty.waitFor(/ftp> quit\n\$ ?\n?$/);
    await tty.type("exit $?\n");
    assertEquals(await tty.exitCode(), 0);
  },
});

/**
 * A classic server whose `get` sends the first MiB of a 64 MiB file and then waits
 * until the client gives up, then answers an `ls`: a transfer that stays under way
 * as long as a test needs.
 */
function stallingServer(sent: PromiseWithResolvers<void>) {
  return scriptedServer(async (control, openData) => {
    if (!await control.reader.readFrame(4096)) return; // get big.bin
    const data = openData();
    await control.send(encodeField(data.port));
    const conn = await data.accept();
    await conn.send(encodeField(64 << 20), new Uint8Array(1 << 20));
    sent.resolve();
    await conn.reader.closesWithin(60_000); // Until the client cancels.
    conn.close();
    const ls = await control.reader.readFrame(4096);
    if (!ls || new TextDecoder().decode(ls) !== "ls") return;
    const listing = openData();
    await control.send(encodeField(listing.port));
    const listConn = await listing.accept();
    await listConn.send(encodeFrame("big.bin\n"));
    listConn.close();
    await control.reader.readFrame(4096); // quit
  });
}

/**
 * `get big.bin` from {@linkcode stallingServer} on a terminal `columns` wide, under
 * way with the bar showing all the server sent (1 MiB of 64); the client's folder.
 */
async function stalledDownload(columns = 100) {
  // Whatever is open goes again if a step fails; on success the caller disposes it.
  await using stack = new AsyncDisposableStack();
  const work = stack.use(await tempDir());
  const state = stack.use(await tempDir());
  const sent = Promise.withResolvers<void>();
  const server = stack.use(stallingServer(sent));
  const tty = stack.use(
    await Terminal.open(
      ferryCommand(["connect", "--plain", `127.0.0.1:${server.port}`]),
      { cwd: work.path, env: { XDG_STATE_HOME: state.path }, columns },
    ),
  );
  await tty.waitFor("ftp> ");
  await tty.type("get big.bin\n");
  await tty.alongside(sent.promise);
  const screen = await tty.waitFor("1.05 MB/67.1 MB");
  const owned = stack.move();
  return { tty, work, screen, [Symbol.asyncDispose]: () => owned.disposeAsync() };
}

Deno.test({
  name: "Ctrl-C during a download cancels it, keeps nothing, and returns to ftp>",
  ignore,
  async fn() {
    await using download = await stalledDownload();
    const { tty } = download;
    await tty.press("C-c");
    const screen = await tty.waitFor(/nothing was kept\nftp> $/m);
    assertStringIncludes(screen, 'get "big.bin": cancelled after 1.05 MB of 67.1 MB');
    assertEquals(await namesIn(download.work.path), []); // Neither the file nor a temp file.
    await tty.type("ls\n");
    await tty.waitFor("big.bin\nftp>");
    await tty.type("quit\n");
    assertEquals(await tty.exitCode(), 0);
  },
});

Deno.test({
  name: "a progress bar redrawn after the terminal narrows leaves no pieces of the old one",
  ignore,
  async fn() {
    await using download = await stalledDownload(120);
    const { tty } = download;
    assert(bars(download.screen)[0].length > 70, download.screen);
    await tty.resize(60, 30);
    // One line again, and narrow: the old one, rewrapped onto two rows, is gone.
    const narrow = await tty.waitFor((screen) =>
      bars(screen).length === 1 && bars(screen)[0].length <= 60
    );
    assertStringIncludes(bars(narrow)[0], "1.05 MB/67.1 MB");
    const lines = narrow.trimEnd().split("\n");
    assertEquals(lines.at(-2), "ftp> get big.bin", narrow);
    await tty.press("C-c");
    await tty.waitFor("nothing was kept");
    await tty.type("ls\n");
    await tty.waitFor("big.bin\nftp>");
    await tty.press("C-d");
    assertEquals(await tty.exitCode(), 0);
  },
});

Deno.test({
  name: "a resize during a transfer redraws the bar alone, never the prompt over it",
  ignore,
  async fn() {
    await using download = await stalledDownload(100);
    const { tty } = download;
    await tty.record();
    await tty.resize(80, 30);
    await tty.waitFor((screen) => bars(screen).length === 1 && bars(screen)[0].length <= 80);
    await tty.press("C-c");
    await tty.waitFor("nothing was kept\nftp> ");
    // Between the resize and the cancel, the prompt is drawn once: after the cancel.
    const output = await tty.waitForOutput(/nothing was kept[^]*ftp> /);
    assertEquals(output.split("ftp> ").length - 1, 1, JSON.stringify(output));
    await tty.press("C-d");
    assertEquals(await tty.exitCode(), 0);
  },
});

/** The lines of a screen that show a piece of the progress bar. */
function bars(screen: string): string[] {
  return screen.split("\n").filter((line) =>
    /big\.bin" (\[|\s*\d+%)|MB\/s|ETA|\]\s+\d+%/.test(line)
  );
}

Deno.test({
  name: "a first secure connect asks whether to trust the server, then for a token unechoed",
  ignore,
  async fn() {
    await using shared = await tempDir();
    await using home = await tempDir();
    await Deno.writeTextFile(shared.file("a.txt"), "secret a");
    const server = await spawnServe(shared.path, [], [], { env: { XDG_CONFIG_HOME: home.path } });
    try {
      const output = await server.readOutput("FERRY_TOKEN=");
      const token = /FERRY_TOKEN=(\S+)/.exec(await server.readOutput(" --fingerprint"))![1];
      assertStringIncludes(output, "on the other machine, run");
      await using tty = await Terminal.open(
        ferryCommand(["connect", `127.0.0.1:${server.port}`]),
        {
          cwd: home.path,
          env: { XDG_CONFIG_HOME: home.file("client"), XDG_STATE_HOME: home.path },
        },
      );
      await tty.waitFor("Trust it and remember it? [y/N] ");
      await tty.type("y\n");
      await tty.waitFor("(not shown): ");
      await tty.type(`${token}\n`);
      const screen = await tty.waitFor("(encrypted). Type help for commands.\nftp> ");
      assert(!screen.includes(token), screen);
      assertStringIncludes(screen, "ferry: remembered 127.0.0.1:");
      await tty.type("get a.txt\n");
      await tty.waitFor('get "a.txt": 8 B');
      await tty.type("quit\n");
      assertEquals(await tty.exitCode(), 0);
    } finally {
      await server.stop();
    }
  },
});
