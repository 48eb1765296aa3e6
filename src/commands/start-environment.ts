// What `serve` needs in the environment it starts with, since Bun reads it only then.
//
// Bun's fetch sends at most BUN_CONFIG_MAX_HTTP_REQUESTS requests at once (256 unless set) and
// queues the rest — 600 concurrent streams waited seconds for a first byte. It reads the variable
// only from the environment the process started with: setting it later has no effect (measured on
// Bun 1.4.5). So `serve` re-executes itself once, in place (same pid, nothing started yet), with the
// variable set to `server.max_upstream_connections`.
//
// The same start-up environment carries one JavaScriptCore option (Bun passes BUN_JSC_<option> to
// JSC, read once at start-up too). On machines with 16 GB of RAM or more JSC grows the JS heap by up
// to 3x its live size after a collection (its "new heap growth function"); below 16 GB it grows it by
// the older, smaller factor. Under 64 connections that difference alone was ~45 MB of peak RSS
// (165 → 120 MB, 24 GB machine, Bun 1.4.5), at no measurable CPU cost. Raising the threshold makes
// the server size its heap the same way on every machine. A value the user set is kept.

const VARIABLE = "BUN_CONFIG_MAX_HTTP_REQUESTS";
const HEAP_GROWTH = "BUN_JSC_heapGrowthFunctionThresholdInMB";
const ANY_RAM_MB = "1048576"; // 1 TB: no machine uses the steep growth function

/** The argv that starts this same program again: the compiled binary, or Bun with its script. */
function ownArgv(): string[] {
  const compiled = Bun.main.startsWith("/$bunfs/");
  return compiled ? [process.execPath, ...process.argv.slice(2)] : [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
}

/**
 * Re-executes once with the upstream limit and the heap growth set; returns only when both are in
 * force (or the runtime cannot re-execute; then Bun's defaults stay).
 */
export function applyStartEnvironment(limit: number): void {
  const wanted = String(limit);
  if (process.env[VARIABLE] === wanted && process.env[HEAP_GROWTH] !== undefined) return;
  try {
    if (!process.execve) throw new Error("this runtime cannot re-execute itself");
    process.execve(process.execPath, ownArgv(), { [HEAP_GROWTH]: ANY_RAM_MB, ...process.env, [VARIABLE]: wanted });
  } catch (err) {
    console.error(`textllm: could not raise the upstream connection limit to ${wanted}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The limit in force in this process. */
export const upstreamLimit = (): number => Number(process.env[VARIABLE]) || 256;
