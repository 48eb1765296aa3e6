// Authentication before anything else: an unauthenticated request is refused before its body is
// read. Health probes, metrics (for the scraper; no user data in them), the docs, the console's
// page and assets (no data in them: it signs in with a key) and CORS preflights stay open.
import { Elysia } from "elysia";
import type { Authenticator } from "../auth/api-keys.ts";
import type { Principal } from "../auth/principal.ts";

const PUBLIC = [/^\/health(\/|$)/, /^\/metrics$/, /^\/docs(\/|$)/, /^\/console(\/|$)/, /^\/redoc\/?$/, /^\/openapi\.json$/];

/** Shared by every copy of the plugin: the principal of each request in flight. */
const principals = new WeakMap<Request, Principal>();
const open: Principal = { kind: "open" };

export function authPlugin(authenticator: Authenticator) {
  return new Elysia({ name: "auth" })
    .onRequest(({ request }) => {
      if (!authenticator.enabled || request.method === "OPTIONS") return;
      const path = new URL(request.url).pathname;
      if (PUBLIC.some((re) => re.test(path))) return;
      principals.set(request, authenticator.authenticate(request.headers.get("authorization")));
    })
    .derive({ as: "global" }, ({ request }) => ({ principal: principals.get(request) ?? open }));
}

export type AuthPlugin = ReturnType<typeof authPlugin>;
