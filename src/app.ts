// Builds the HTTP application from explicit dependencies. One error handler renders every failure
// (ours, Elysia's validation and parse errors, unknown routes) as an OpenAI-style error body.
import { Elysia } from "elysia";
import { ErrorCode } from "./errors.ts";
import type { Deps } from "./deps.ts";
import { authPlugin } from "./http/auth.ts";
import { bodyLimit } from "./http/body-limit.ts";
import { observePlugin } from "./http/observe.ts";
import { answerHeaders } from "./http/answer-headers.ts";
import { corsPlugin } from "./http/cors.ts";
import { toErrorAnswer } from "./http/error-response.ts";
import { requestId } from "./http/request-id.ts";
import { idleTimeoutSeconds, untimedStreams } from "./http/server-timeouts.ts";
import { docsRoutes, DOC_ASSET_PREFIX } from "./http/routes/docs.ts";
import { consoleRoutes, CONSOLE_ASSET_PREFIX } from "./http/routes/console.ts";
import { chatRoutes } from "./http/routes/chat.ts";
import { chatStreamRoutes } from "./http/routes/chat-streams.ts";
import { idempotencyPlugin } from "./http/idempotency.ts";
import { chatV1Routes } from "./http/routes/chat-v1.ts";
import { completionRoutes } from "./http/routes/completions.ts";
import { embeddingRoutes } from "./http/routes/embeddings.ts";
import { responseRoutes } from "./http/routes/responses.ts";
import { conversationRoutes } from "./http/routes/conversations.ts";
import { fileRoutes } from "./http/routes/files.ts";
import { healthRoutes } from "./http/routes/health.ts";
import { metricsRoutes } from "./http/routes/metrics.ts";
import { sessionRoutes } from "./http/routes/sessions.ts";
import { infoRoutes } from "./http/routes/info.ts";
import type { RouteDeps, RouteEntry } from "./http/route-deps.ts";

/** Bun's own limit sits this far above ours, so our 413 (with a body) answers first. */
const BUN_LIMIT_SLACK = 1024 * 1024;

export function buildApp(deps: Deps) {
  const maxBody = Math.floor(deps.loaded.config.server.max_body_mb * 1024 * 1024);
  const auth = authPlugin(deps.auth);
  const listRoutes = (): RouteEntry[] =>
    app.routes
      .filter((r) => !r.path.startsWith(DOC_ASSET_PREFIX) && !r.path.startsWith(CONSOLE_ASSET_PREFIX) && r.method !== "OPTIONS")
      .map((r) => ({ method: r.method, path: r.path }));
  const routes: RouteDeps = { ...deps, auth, listRoutes };

  // normalize: false — validate what the client sent instead of coercing it ("x" is not an object).
  // reusePort: false — a second server on a busy port must fail to start, not share its traffic.
  const serve = { maxRequestBodySize: maxBody + BUN_LIMIT_SLACK, reusePort: false, idleTimeout: idleTimeoutSeconds(deps.loaded) };
  // The request id first (every answer carries it, a refusal while draining too), then CORS, whose
  // preflight answers from its hook and so never reaches the tracking below: only requests it
  // lets through are counted in flight, so each one is counted out again.
  const app = new Elysia({ normalize: false, serve })
    .use(requestId)
    .use(corsPlugin(deps.loaded.config.server.cors_origins))
    .use(observePlugin(deps.tracker, deps.lifecycle))
    .use(untimedStreams)
    .use(answerHeaders(deps.registry.answers, deps.tracker))
    .use(auth)
    .use(bodyLimit(maxBody))
    // Before the central error answer: a failed first request's answer is kept for its repeats.
    .use(idempotencyPlugin({ ...deps, keepAliveMs: deps.loaded.config.server.sse_keepalive_seconds * 1000 }))
    .onError({ as: "global" }, ({ code, error, set, request, path }) => {
      const answer = toErrorAnswer(code, error, request.method, path);
      if (answer.body.error.code === ErrorCode.rateLimitExceeded) deps.metrics.rateLimited.inc();
      else if (answer.body.error.code === ErrorCode.budgetExceeded) deps.metrics.budgetRefused.inc();
      if (answer.body.error.code === ErrorCode.shuttingDown) {
        deps.logger.info({ request_id: set.headers["x-request-id"], path }, "request refused or cut: the server is shutting down");
      } else if (answer.status >= 500) {
        deps.logger.error({ err: error, request_id: set.headers["x-request-id"], path }, "request failed");
      }
      set.status = answer.status;
      Object.assign(set.headers, answer.headers);
      set.headers["content-type"] = "application/json";
      return answer.body;
    })
    .use(docsRoutes())
    .use(consoleRoutes())
    .use(infoRoutes(routes))
    .use(healthRoutes(routes))
    .use(metricsRoutes(routes))
    .use(completionRoutes(routes))
    .use(embeddingRoutes(routes))
    .use(responseRoutes(routes))
    .use(chatRoutes(routes))
    .use(chatStreamRoutes(routes))
    .use(chatV1Routes(routes))
    .use(conversationRoutes(routes))
    .use(sessionRoutes(routes))
    .use(fileRoutes(routes));
  return app;
}

export type App = ReturnType<typeof buildApp>;
