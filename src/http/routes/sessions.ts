// Sessions and user statistics: GET /sessions/{id}, POST /sessions/{id}/end,
// GET /users/{id}/sessions, GET /users/{id}/stats?days=30.
import { Elysia, t } from "elysia";
import type { SessionService } from "../../sessions/service.ts";
import { presentSession, presentStats } from "../presenters/session.ts";

const Id = t.String({ minLength: 1, maxLength: 255 });

export function sessionRoutes(service: SessionService) {
  return new Elysia({ name: "routes:sessions", detail: { tags: ["Sessions"] } })
    .get("/sessions/:id", async ({ params }) => presentSession(await service.get(params.id)), {
      params: t.Object({ id: Id }),
      detail: { summary: "A session: one user's usage for one UTC day" },
    })
    .post("/sessions/:id/end", async ({ params }) => presentSession(await service.end(params.id)), {
      params: t.Object({ id: Id }),
      detail: { summary: "End a session; the user's next chat opens a new one" },
    })
    .get(
      "/users/:id/sessions",
      async ({ params, query }) => {
        const { data, current } = await service.listForUser(params.id, query.limit);
        return { object: "list" as const, data: data.map(presentSession), current: current ? presentSession(current) : null };
      },
      {
        params: t.Object({ id: Id }),
        query: t.Object({ limit: t.Integer({ minimum: 1, maximum: 365, default: 30 }) }),
        detail: { summary: "A user's sessions, newest first, with today's active one as `current`" },
      },
    )
    .get("/users/:id/stats", async ({ params, query }) => presentStats(await service.stats(params.id, query.days)), {
      params: t.Object({ id: Id }),
      query: t.Object({ days: t.Integer({ minimum: 1, maximum: 3650, default: 30 }) }),
      detail: { summary: "A user's conversations, messages, tokens and cost over the last `days` days, per model too" },
    });
}
