// `textllm healthcheck [--url URL]`: exit 0 when the server's /health/live answers 200, 1 otherwise.
// The container image has no shell and no curl, so its HEALTHCHECK runs the binary itself.
import type { EnvRecord } from "../config/env.ts";

/** A hung server must fail the check, not hang it: container runtimes count a timeout as a failure anyway. */
const TIMEOUT_MS = 5000;

/** A bad command line: exit code 2, like the other commands. */
export class UsageError extends Error {}

export interface HealthcheckIo {
  env: EnvRecord;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** `--url http://host:port` (the server's base URL) or a full probe URL; default: HOST and PORT. */
export function probeUrl(args: string[], env: EnvRecord): string {
  let given: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--url") given = args[++i];
    else if (arg.startsWith("--url=")) given = arg.slice("--url=".length);
    else throw new UsageError(`unexpected argument '${arg}'`);
    if (!given) throw new UsageError("--url needs a value, e.g. --url http://127.0.0.1:8000");
  }
  const base = given ?? `http://${probeHost(env.HOST)}:${env.PORT || "8000"}`;
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(`--url: '${base}' is not a URL`);
  }
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/health/live";
  return url.toString();
}

/** The server's own address when it listens on one; loopback when it listens on all. */
function probeHost(host: string | undefined): string {
  if (!host || host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

export async function healthcheck(args: string[], io: HealthcheckIo): Promise<number> {
  let url: string;
  try {
    url = probeUrl(args, io.env);
  } catch (err) {
    io.err(`textllm healthcheck: ${(err as Error).message}`);
    return 2;
  }
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.body?.cancel();
    if (res.status === 200) {
      io.out(`healthy: ${url} answered 200`);
      return 0;
    }
    io.err(`textllm healthcheck: ${url} answered ${res.status}`);
  } catch (err) {
    const reason =
      err instanceof Error && err.name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000} s` : err instanceof Error ? err.message : String(err);
    io.err(`textllm healthcheck: ${url}: ${reason}`);
  }
  return 1;
}
