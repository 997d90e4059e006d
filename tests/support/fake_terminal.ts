/**
 * A terminal for tests of what is drawn on it: a progress target that records every
 * write, with a width and a resize to play.
 *
 * @module
 */

import type { ProgressTarget } from "../../src/cli/io.ts";

/** What {@linkcode fakeTerminal} gives: the target to draw on, and its controls. */
export interface FakeTerminal {
  /** All written so far (a test may reset it). */
  written: string;
  columns: number;
  /** The resize listeners registered now. */
  listeners: Set<() => void>;
  target: ProgressTarget;
  /** Changes the width and tells the listeners, as a window dragged narrower does. */
  resize(to: number): void;
}

/** A terminal `columns` wide that records what is drawn. */
export function fakeTerminal(columns: number): FakeTerminal {
  const terminal: FakeTerminal = {
    written: "",
    columns,
    listeners: new Set<() => void>(),
    target: {
      write: (text: string) => void (terminal.written += text),
      isTerminal: true,
      columns: () => terminal.columns,
      onResize(listener: () => void) {
        terminal.listeners.add(listener);
        return () => terminal.listeners.delete(listener);
      },
    },
    resize(to: number) {
      terminal.columns = to;
      for (const listener of terminal.listeners) listener();
    },
  };
  return terminal;
}
