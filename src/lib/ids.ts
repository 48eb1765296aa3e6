// Identifiers: a readable prefix and a time-ordered UUIDv7 without dashes.
export type IdPrefix = "conv" | "sess" | "msg" | "user" | "req" | "usage" | "chatcmpl" | "resp" | "fc" | "stream";

export const newId = (prefix: IdPrefix): string => `${prefix}_${Bun.randomUUIDv7().replaceAll("-", "")}`;

/** A client-supplied request id is echoed only when it is short and plain. */
export function acceptRequestId(raw: string | null): string {
  if (raw && raw.length <= 128 && /^[A-Za-z0-9._:-]+$/.test(raw)) return raw;
  return newId("req");
}

/** Client-named user ids longer than a stored id may be are kept as their digest. */
export function boundedUserId(raw: string): string {
  if (raw.length <= 255) return raw;
  return `user_sha256_${new Bun.CryptoHasher("sha256").update(raw).digest("hex")}`;
}
