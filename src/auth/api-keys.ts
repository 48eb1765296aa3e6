// API keys (TEXTLLM_API_KEYS, TEXTLLM_ADMIN_KEY, or auth: in config.yaml). Presented keys are
// compared in constant time against every configured key (as SHA-256 digests, so lengths leak
// nothing either); keys themselves are never logged.
import { timingSafeEqual } from "node:crypto";
import type { Config } from "../config/schema.ts";
import { unauthorized } from "../errors.ts";
import type { Principal } from "./principal.ts";

/** Bun's one-shot SHA-256 (~0.1 µs; node:crypto's createHash chain ~0.5 µs, once per request). */
const digest = (key: string): Uint8Array => Bun.SHA256.hash(key) as Uint8Array;

export interface Authenticator {
  /** False: no keys configured, the server is open. */
  readonly enabled: boolean;
  /** The caller behind an Authorization header; throws 401 when keys are on and it is not valid. */
  authenticate(authorization: string | null): Principal;
}

export function createAuthenticator(auth: Config["auth"]): Authenticator {
  const entries = Object.entries(auth.api_keys).map(([key, userId]) => ({ digest: digest(key), principal: { kind: "user", userId } as Principal }));
  if (auth.admin_key) entries.push({ digest: digest(auth.admin_key), principal: { kind: "admin" } });
  const enabled = entries.length > 0;

  return {
    enabled,
    authenticate(authorization) {
      if (!enabled) return { kind: "open" }; // SDKs always send a key; in open mode it means nothing
      const token = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? "")?.[1]?.trim();
      if (!token) throw unauthorized("You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.");
      const presented = digest(token);
      let found: Principal | null = null;
      for (const e of entries) if (timingSafeEqual(e.digest, presented)) found = e.principal; // no early exit
      if (!found) throw unauthorized("Incorrect API key provided.");
      return found;
    },
  };
}
