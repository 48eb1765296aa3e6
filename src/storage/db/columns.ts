// Decoders for values as the two drivers return them: Postgres gives BIGINT and SUM() as strings,
// booleans as booleans, JSONB parsed and timestamps as Dates; SQLite gives numbers, 0/1 and text.

export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export const bool = (v: unknown): boolean => v === true || v === 1 || v === "1" || v === "t" || v === "true";

export function json<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined) return fallback;
  if (typeof v === "string") {
    try {
      return JSON.parse(v) as T;
    } catch {
      return fallback;
    }
  }
  return v as T;
}

export function iso(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  return new Date(String(v)).toISOString();
}

export const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));

export const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
