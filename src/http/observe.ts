// The first and last hooks of every request: tracking (access log, metrics, in-flight count) and,
// while the server drains for shutdown, the refusal of new work.
import { Elysia } from "elysia";
import { shuttingDown, type Lifecycle } from "../observability/lifecycle.ts";
import type { RequestTracker } from "../observability/request-tracker.ts";

/** Probes and metrics keep answering while the server drains. */
const ALWAYS_OPEN = /^\/(health|metrics)(\/|$)/;

export function observePlugin(tracker: RequestTracker, lifecycle: Lifecycle) {
  return new Elysia({ name: "observe" })
    .onRequest(({ request }) => {
      tracker.begin(request);
      if (lifecycle.draining && !ALWAYS_OPEN.test(new URL(request.url).pathname)) {
        throw shuttingDown();
      }
    })
    .onAfterResponse({ as: "global" }, ({ request, route, set, responseValue }) => {
      const response = responseValue instanceof Response ? responseValue : null;
      const status = response?.status ?? (typeof set.status === "number" ? set.status : 200);
      tracker.responded(request, {
        route: route || "unmatched",
        status,
        requestId: String(set.headers["x-request-id"] ?? ""),
        streaming: Boolean(response?.headers.get("content-type")?.startsWith("text/event-stream")),
      });
    });
}
