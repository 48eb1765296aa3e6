// Sessions and user statistics: GET /sessions/{id}, POST /sessions/{id}/end,
// GET /users/{id}/sessions, GET /users/{id}/stats?days=30, per-day series for charts
// (GET /users/{id}/stats/daily, and everyone's for the admin: GET /stats/daily), GET /me.
import { Elysia } from "elysia";
import type { RouteDeps } from "../route-deps.ts";
import { actingUser, ownerScope } from "../../auth/principal.ts";
import { forbidden } from "../../errors.ts";
import { operationDoc } from "../operation-doc.ts";
import { presentDaily, presentSession, presentStats } from "../presenters/session.ts";
import { IdParams } from "../schemas/common.ts";
import {
  DAILY_EXAMPLE,
  DailyQuery,
  DailyStatsSchema,
  MeSchema,
  NoBodySchema,
  SESSION_EXAMPLE,
  SessionListQuery,
  SessionListSchema,
  SessionSchema,
  STATS_EXAMPLE,
  StatsQuery,
  StatsSchema,
} from "../schemas/sessions.ts";

const session = { schema: SessionSchema, example: SESSION_EXAMPLE, description: "The session" };
const daily = { schema: DailyStatsSchema, example: DAILY_EXAMPLE, description: "Per-day series" };

export function sessionRoutes({ sessions: service, auth }: RouteDeps) {
  /** A user named in the path: the caller's own, or (admin, open mode) anyone's. */
  const userIn = (principal: Parameters<typeof actingUser>[0], id: string) => actingUser(principal, id)!;
  return new Elysia({ name: "routes:sessions", detail: { tags: ["Sessions"] } })
    .use(auth)
    .get("/sessions/:id", async ({ params, principal }) => presentSession(await service.get(params.id, ownerScope(principal))), {
      params: IdParams,
      detail: operationDoc({ summary: "A session: one user's usage for one UTC day", ok: session, errors: [400, 404] }),
    })
    .post("/sessions/:id/end", async ({ params, principal }) => presentSession(await service.end(params.id, ownerScope(principal))), {
      params: IdParams,
      detail: operationDoc({
        summary: "End a session; the user's next chat opens a new one",
        body: { required: false, json: { schema: NoBodySchema, example: {} } },
        ok: { ...session, example: { ...SESSION_EXAMPLE, ended_at: "2026-11-30T12:00:00.000Z", is_active: false }, description: "The ended session" },
        errors: [400, 404],
      }),
    })
    .get(
      "/users/:id/sessions",
      async ({ params, query, principal }) => {
        const { data, current } = await service.listForUser(userIn(principal, params.id), query.limit);
        return { object: "list" as const, data: data.map(presentSession), current: current ? presentSession(current) : null };
      },
      {
        params: IdParams,
        query: SessionListQuery,
        detail: operationDoc({
          summary: "A user's sessions, newest first, with today's active one as `current`",
          ok: { schema: SessionListSchema, example: { object: "list", data: [SESSION_EXAMPLE], current: SESSION_EXAMPLE }, description: "The sessions" },
          errors: [400, 404],
        }),
      },
    )
    .get("/users/:id/stats", async ({ params, query, principal }) => presentStats(await service.stats(userIn(principal, params.id), query.days)), {
      params: IdParams,
      query: StatsQuery,
      detail: operationDoc({
        summary: "A user's conversations, messages, tokens and cost over the last `days` days, per model too",
        ok: { schema: StatsSchema, example: STATS_EXAMPLE, description: "The statistics" },
        errors: [400, 404],
      }),
    })
    .get("/users/:id/stats/daily", async ({ params, query, principal }) => presentDaily(await service.daily(userIn(principal, params.id), query.days)), {
      params: IdParams,
      query: DailyQuery,
      detail: operationDoc({
        summary: "A user's requests, tokens and cost per UTC day and model over the last `days` days (today included)",
        ok: daily,
        errors: [400, 404],
      }),
    })
    .get(
      "/stats/daily",
      async ({ query, principal }) => {
        if (principal.kind === "user") throw forbidden("Everyone's statistics need the admin key.");
        return presentDaily(await service.daily(null, query.days));
      },
      {
        query: DailyQuery,
        detail: operationDoc({
          summary: "Admin: every user's requests, tokens and cost per UTC day, user and model",
          ok: { ...daily, example: { ...DAILY_EXAMPLE, user_id: null } },
          errors: [400, 403],
        }),
      },
    )
    .get("/me", ({ principal }) => ({ object: "principal" as const, kind: principal.kind, user_id: principal.kind === "user" ? principal.userId : null }), {
      detail: operationDoc({
        summary: "Who the caller is: the admin, a user key (with its user id), or an open server",
        ok: { schema: MeSchema, example: { object: "principal", kind: "user", user_id: "alice" }, description: "The caller" },
      }),
    });
}
