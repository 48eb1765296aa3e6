// One access-log line and one set of HTTP metrics per request. A streamed answer is logged when its
// stream ends (with the tokens and cost it came to), not when its headers go out.
import type { Logger } from "../lib/logger.ts";
import type { Lifecycle } from "./lifecycle.ts";
import type { Metrics } from "./metrics.ts";

export interface AccessFields {
  user?: string | null;
  model?: string | null;
  /** The provider that answered. */
  provider?: string | null;
  conversation_id?: string | null;
  tokens_in?: number;
  tokens_out?: number;
  cost_usd?: number;
  /** The error code a streamed answer ended with (its HTTP status was sent before). */
  error?: string | null;
}

interface Entry {
  start: number;
  fields: AccessFields;
  open: boolean;
  /** Set once the response has gone out. */
  line: Record<string, unknown> | null;
  /** A streamed answer whose stream is over (this can happen before the response hook runs). */
  streamDone: boolean;
}

export function createRequestTracker(logger: Logger, metrics: Metrics, lifecycle: Lifecycle) {
  const entries = new WeakMap<Request, Entry>();
  // An access line holds only the typed fields above — no headers, bodies or keys — so it skips
  // the logger's path redaction, which costs several times the rest of writing the line.
  const access = logger.child({}, { redact: [] });

  const finish = (e: Entry) => {
    if (!e.open || !e.line) return;
    e.open = false;
    access.info({ ...e.line, ...e.fields, duration_ms: Math.round((performance.now() - e.start) * 10) / 10 }, "request");
    lifecycle.leave();
  };

  return {
    begin(request: Request) {
      entries.set(request, { start: performance.now(), fields: {}, open: true, line: null, streamDone: false });
      lifecycle.enter();
    },

    /** What the handler learnt: who, which model, what it cost. */
    annotate(request: Request, fields: AccessFields) {
      const e = entries.get(request);
      if (e) Object.assign(e.fields, fields);
    },

    responded(request: Request, r: { route: string; status: number; requestId: string; streaming: boolean }) {
      const e = entries.get(request);
      if (!e) return;
      const seconds = (performance.now() - e.start) / 1000;
      const method = metrics.label.method(request.method);
      metrics.requests.inc({ route: r.route, method, status: String(r.status) });
      metrics.requestSeconds.observe({ route: r.route, method }, seconds);
      e.line = { request_id: r.requestId, method: request.method, route: r.route, status: r.status, latency_ms: Math.round(seconds * 10000) / 10 };
      if (!r.streaming || e.streamDone) finish(e);
    },

    /** A streamed answer has ended (finished, failed or abandoned by its client). */
    streamEnded(request: Request) {
      const e = entries.get(request);
      if (!e) return;
      e.streamDone = true;
      finish(e);
    },
  };
}

export type RequestTracker = ReturnType<typeof createRequestTracker>;
