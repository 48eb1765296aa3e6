// Health checks, framework-free: each probes one dependency and never throws.
import { statfs } from "node:fs/promises";
import type { ResolvedProvider } from "../config/providers.ts";
import { isProviderConfigured } from "../config/providers.ts";
import { withDeadline } from "../lib/deadline.ts";
import { describeError as describe, probeWrite, type CheckResult } from "../lib/health-check.ts";
import type { SharedRedis } from "../lib/redis.ts";
import type { OnRedisError } from "../lib/redis-policy.ts";
import type { Store } from "../storage/db/store.ts";
import type { DeploymentStatus } from "../providers/registry.ts";

export type Status = "healthy" | "degraded" | "unhealthy";

export type { CheckResult };

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

/** The providers, and — for models with several deployments or fallbacks — each deployment's circuit. */
export async function checkUpstreams(providers: ResolvedProvider[], deployments: () => Promise<DeploymentStatus[]>): Promise<CheckResult> {
  const list = await deployments().catch((err: unknown) => ({ error: describe(err) }));
  if (Array.isArray(list) && list.length === 0) return checkProviders(providers);
  return { ...checkProviders(providers), deployments: list };
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

/**
 * Free space of the data directory's disk; with `writable`, also whether a file can be written
 * there (status "failing" when not) — for a server that keeps its database or files on it.
 */
export async function checkDisk(dir: string, opts: { writable?: boolean } = {}): Promise<CheckResult> {
  let space: { free_gb: number; total_gb: number; low: boolean } | null = null;
  let error: string | null = null;
  try {
    const s = await statfs(dir);
    const free = Number(s.bavail) * Number(s.bsize);
    space = { free_gb: round(free / 1024 ** 3), total_gb: round((Number(s.blocks) * Number(s.bsize)) / 1024 ** 3), low: free < LOW_DISK_BYTES };
  } catch (err) {
    error = describe(err);
  }
  const sizes = space ? { free_gb: space.free_gb, total_gb: space.total_gb } : {};
  if (opts.writable) {
    const refused = await probeWrite(dir);
    if (refused) return { status: "failing", writable: false, ...sizes, error: refused };
  }
  if (!space) return { status: "unknown", error };
  return { status: space.low ? "low" : "ok", ...(opts.writable ? { writable: true } : {}), ...sizes };
}

export async function checkRedis(redis: SharedRedis, onError: OnRedisError): Promise<CheckResult> {
  const started = performance.now();
  try {
    await redis.ping();
    return { status: "healthy", latency_ms: round(performance.now() - started), on_error: onError };
  } catch (err) {
    return { status: "unhealthy", on_error: onError, error: describe(err) };
  }
}

/** Whether these checks let the server take traffic (readiness). */
export function isReady(checks: Record<string, CheckResult>): boolean {
  return checks.database?.status === "healthy" && checks.disk?.status !== "failing" && !redisRefuses(checks);
}

/** Redis down under on_error: closed refuses every chat request. */
const redisRefuses = (checks: Record<string, CheckResult>) =>
  checks.redis !== undefined && checks.redis.status !== "healthy" && checks.redis.on_error === "closed";

/** Not ready (database down, data disk unwritable, Redis down with on_error: closed) → unhealthy; anything else missing → degraded. */
export function overallStatus(checks: Record<string, CheckResult>): Status {
  if (!isReady(checks)) return "unhealthy";
  const degraded =
    checks.openai_api?.status !== "configured" ||
    checks.storage?.status !== "healthy" ||
    checks.disk?.status !== "ok" ||
    (checks.redis !== undefined && checks.redis.status !== "healthy");
  return degraded ? "degraded" : "healthy";
}

const round = (n: number) => Math.round(n * 100) / 100;
