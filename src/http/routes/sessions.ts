// Sessions and user statistics: GET /sessions/{id}, POST /sessions/{id}/end,
// GET /users/{id}/sessions, GET /users/{id}/stats?days=30, per-day series for charts
// (GET /users/{id}/stats/daily, and everyone's for the admin: GET /stats/daily), GET /me.
import { Elysia, t } from "elysia";
import { actingUser, ownerScope } from "../../auth/principal.ts";
import { forbidden } from "../../errors.ts";
import type { SessionService } from "../../sessions/service.ts";
import type { AuthPlugin } from "../auth.ts";
import { presentDaily, presentSession, presentStats } from "../presenters/session.ts";

const Id = t.String({ minLength: 1, maxLength: 255 });
const DailyQuery = t.Object({ days: t.Integer({ minimum: 1, maximum: 366, default: 30 }) });

export function sessionRoutes(service: SessionService, auth: AuthPlugin) {
  /** A user named in the path: the caller's own, or (admin, open mode) anyone's. */
  const userIn = (principal: Parameters<typeof actingUser>[0], id: string) => actingUser(principal, id)!;
  return new Elysia({ name: "routes:sessions", detail: { tags: ["Sessions"] } })
    .use(auth)
    .get("/sessions/:id", async ({ params, principal }) => presentSession(await service.get(params.id, ownerScope(principal))), {
      params: t.Object({ id: Id }),
      detail: { summary: "A session: one user's usage for one UTC day" },
    })
    .post("/sessions/:id/end", async ({ params, principal }) => presentSession(await service.end(params.id, ownerScope(principal))), {
      params: t.Object({ id: Id }),
      detail: { summary: "End a session; the user's next chat opens a new one" },
    })
    .get(
      "/users/:id/sessions",
      async ({ params, query, principal }) => {
        const { data, current } = await service.listForUser(userIn(principal, params.id), query.limit);
        return { object: "list" as const, data: data.map(presentSession), current: current ? presentSession(current) : null };
      },
      {
        params: t.Object({ id: Id }),
        query: t.Object({ limit: t.Integer({ minimum: 1, maximum: 365, default: 30 }) }),
        detail: { summary: "A user's sessions, newest first, with today's active one as `current`" },
      },
    )
    .get("/users/:id/stats", async ({ params, query, principal }) => presentStats(await service.stats(userIn(principal, params.id), query.days)), {
      params: t.Object({ id: Id }),
      query: t.Object({ days: t.Integer({ minimum: 1, maximum: 3650, default: 30 }) }),
      detail: { summary: "A user's conversations, messages, tokens and cost over the last `days` days, per model too" },
    })
    .get("/users/:id/stats/daily", async ({ params, query, principal }) => presentDaily(await service.daily(userIn(principal, params.id), query.days)), {
      params: t.Object({ id: Id }),
      query: DailyQuery,
      detail: { summary: "A user's requests, tokens and cost per UTC day and model over the last `days` days (today included)" },
    })
    .get(
      "/stats/daily",
      async ({ query, principal }) => {
        if (principal.kind === "user") throw forbidden("Everyone's statistics need the admin key.");
        return presentDaily(await service.daily(null, query.days));
      },
      {
        query: DailyQuery,
        detail: { summary: "Admin: every user's requests, tokens and cost per UTC day, user and model" },
      },
    )
    .get("/me", ({ principal }) => ({ object: "principal" as const, kind: principal.kind, user_id: principal.kind === "user" ? principal.userId : null }), {
      detail: { summary: "Who the caller is: the admin, a user key (with its user id), or an open server" },
    });
}
