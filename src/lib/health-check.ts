// What a dependency check answers, and the write probe local checks share. Kept below every
// backend so a store can check itself without knowing the health routes (health/ builds on this).
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface CheckResult {
  status: string;
  [detail: string]: unknown;
}

export const describeError = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 200);

/** Writes and removes a small file in `dir`: null when that worked, else why not. */
export async function probeWrite(dir: string): Promise<string | null> {
  const probe = join(dir, `.health-${process.pid}-${Date.now()}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, "ok");
    return null;
  } catch (err) {
    return describeError(err);
  } finally {
    // Also when the write failed half-way (ENOSPC leaves an empty file behind).
    await rm(probe, { force: true }).catch(() => undefined);
  }
}
