// What the terminal client prints. Colours only when stdout is a terminal (and NO_COLOR is unset).
import { createColors } from "picocolors";

export interface Output {
  /** Reply text, as it streams. */
  text(s: string): void;
  line(s?: string): void;
  info(s: string): void;
  dim(s: string): void;
  error(s: string): void;
  colors: ReturnType<typeof createColors>;
  /** The terminal's width, read when asked; null when stdout is not a terminal. */
  readonly columns: number | null;
}

export function createOutput(stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream, env: Record<string, string | undefined>): Output {
  const colors = createColors(Boolean(stdout.isTTY) && env.NO_COLOR === undefined);
  return {
    colors,
    get columns() {
      return stdout.isTTY && stdout.columns ? stdout.columns : null;
    },
    text: (s) => void stdout.write(s),
    line: (s = "") => void stdout.write(`${s}\n`),
    info: (s) => void stdout.write(`${colors.cyan(s)}\n`),
    dim: (s) => void stdout.write(`${colors.dim(s)}\n`),
    error: (s) => void stderr.write(`${colors.red(`error: ${s}`)}\n`),
  };
}

export const usd = (n: number) => `$${n < 0.01 ? n.toFixed(6) : n.toFixed(4)}`;
