// Health checks, framework-free: each probes one dependency and never throws.
import { mkdir, rm, statfs, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ResolvedProvider } from "../config/providers.ts";
import { isProviderConfigured } from "../config/providers.ts";
import { withDeadline } from "../lib/deadline.ts";
import type { Store } from "../storage/db/store.ts";

export type Status = "healthy" | "degraded" | "unhealthy";

export interface CheckResult {
  status: string;
  [detail: string]: unknown;
}

/** Below this much free space the data disk is reported as low (degraded). */
const LOW_DISK_BYTES = 1024 ** 3;

export function checkProviders(providers: ResolvedProvider[]): CheckResult {
  const configured = providers.filter(isProviderConfigured);
  return {
    status: configured.length ? "configured" : "not_configured",
    providers: providers.map((p) => ({ name: p.name, configured: isProviderConfigured(p) })),
    ...(configured.length ? {} : { hint: "set OPENAI_API_KEY, or OPENAI_BASE_URL / providers: for a local server" }),
  };
}

export async function checkDatabase(store: Store, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  try {
    await withDeadline(store.ping(), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
    return { status: "healthy", backend: store.dialect, latency_ms: round(performance.now() - started) };
  } catch (err) {
    return { status: "unhealthy", backend: store.dialect, error: describe(err) };
  }
}

/** Writes and removes a small file where uploads go. */
export async function checkLocalStorage(dir: string): Promise<CheckResult> {
  const probe = join(dir, `.health-${process.pid}-${Date.now()}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, "ok");
    await rm(probe, { force: true });
    return { status: "healthy", backend: "local", writable: true };
  } catch (err) {
    return { status: "unhealthy", backend: "local", writable: false, error: describe(err) };
  }
}

export async function checkDisk(dir: string): Promise<CheckResult> {
  try {
    const s = await statfs(dir);
    const free = Number(s.bavail) * Number(s.bsize);
    const total = Number(s.blocks) * Number(s.bsize);
    return { status: free < LOW_DISK_BYTES ? "low" : "ok", free_gb: round(free / 1024 ** 3), total_gb: round(total / 1024 ** 3) };
  } catch (err) {
    return { status: "unknown", error: describe(err) };
  }
}

/** Database down → unhealthy; anything else missing → degraded. */
export function overallStatus(checks: Record<string, CheckResult>): Status {
  if (checks.database?.status !== "healthy") return "unhealthy";
  const degraded =
    checks.openai_api?.status !== "configured" || checks.storage?.status !== "healthy" || checks.disk?.status !== "ok";
  return degraded ? "degraded" : "healthy";
}

const round = (n: number) => Math.round(n * 100) / 100;
const describe = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 200);
