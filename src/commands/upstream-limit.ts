// Bun's fetch sends at most BUN_CONFIG_MAX_HTTP_REQUESTS requests at once (256 unless set) and
// queues the rest — 600 concurrent streams waited seconds for a first byte. It reads the variable
// only from the environment the process started with: setting it later has no effect (measured on
// Bun 1.4.5). So `serve` re-executes itself once, in place (same pid, nothing started yet), with the
// variable set to `server.max_upstream_connections`.

const VARIABLE = "BUN_CONFIG_MAX_HTTP_REQUESTS";

/** The argv that starts this same program again: the compiled binary, or Bun with its script. */
function ownArgv(): string[] {
  const compiled = Bun.main.startsWith("/$bunfs/");
  return compiled ? [process.execPath, ...process.argv.slice(2)] : [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
}

/** Returns only when the limit is in force (or the runtime cannot re-execute; then Bun's default stays). */
export function applyUpstreamLimit(limit: number): void {
  const wanted = String(limit);
  if (process.env[VARIABLE] === wanted) return;
  try {
    if (!process.execve) throw new Error("this runtime cannot re-execute itself");
    process.execve(process.execPath, ownArgv(), { ...process.env, [VARIABLE]: wanted });
  } catch (err) {
    console.error(`textllm: could not raise the upstream connection limit to ${wanted}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The limit in force in this process. */
export const upstreamLimit = (): number => Number(process.env[VARIABLE]) || 256;
