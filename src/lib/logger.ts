// Structured JSON logs (pino). Secrets are redacted by path as a second line of defence: the code
// never logs keys, but a header or URL slipped into a log object must not leak them.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import pino, { type Logger } from "pino";

export type { Logger };

export interface LoggerOptions {
  level: string;
  logToFile: boolean;
  logDir: string;
  /** Where JSON lines go when not to a file; tests pass a sink. */
  stream?: pino.DestinationStream;
}

const REDACT = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "apiKey",
  "*.apiKey",
  "api_key",
  "*.api_key",
  "password",
  "*.password",
  "secret_key",
  "*.secret_key",
];

export function createLogger(opts: LoggerOptions): Logger {
  const level = opts.level === "warning" ? "warn" : opts.level;
  const options: pino.LoggerOptions = {
    level,
    base: { service: "textllm" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT, censor: "[redacted]" },
  };
  const stdout = opts.stream ?? pino.destination({ dest: 1, sync: false });
  if (!opts.logToFile) return pino(options, stdout);
  const dir = resolve(opts.logDir);
  mkdirSync(dir, { recursive: true });
  const file = pino.destination({ dest: join(dir, "textllm.log"), mkdir: true, sync: false });
  return pino(
    options,
    pino.multistream([
      { stream: stdout, level },
      { stream: file, level },
    ]),
  );
}
