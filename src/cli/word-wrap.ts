// A streamed reply broken at word boundaries for the terminal's width. Pieces arrive cut anywhere;
// a word is held until it is complete, then starts a new line if it would cross the right edge
// (the terminal itself would split it mid-word). Words wider than a line are left to the terminal.

export interface WordWrapper {
  write(text: string): void;
  /** Writes the word still held back (the reply ended or stopped). */
  end(): void;
}

export function wordWrapper(opts: { width: number; startColumn: number; write: (s: string) => void }): WordWrapper {
  const { width, write } = opts;
  let column = opts.startColumn;
  let word = "";

  const flushWord = () => {
    if (!word) return;
    const wide = Bun.stringWidth(word);
    if (column > 0 && column + wide > width) {
      write("\n");
      column = 0;
    }
    write(word);
    column += wide;
    if (column > width) column %= width; // a word wider than the line, split by the terminal
    word = "";
  };

  return {
    write(text) {
      for (const ch of text) {
        if (ch === "\n") {
          flushWord();
          write("\n");
          column = 0;
        } else if (ch === " ") {
          flushWord();
          if (column + 1 >= width) {
            // A space at the edge: the line ends here instead.
            write("\n");
            column = 0;
          } else {
            write(" ");
            column += 1;
          }
        } else word += ch;
      }
    },
    end: flushWord,
  };
}
