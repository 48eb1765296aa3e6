// Sessions and user statistics: GET /sessions/{id}, POST /sessions/{id}/end,
// GET /users/{id}/sessions, GET /users/{id}/stats?days=30.
import { Elysia, t } from "elysia";
import { actingUser, ownerScope } from "../../auth/principal.ts";
import type { SessionService } from "../../sessions/service.ts";
import type { AuthPlugin } from "../auth.ts";
import { presentSession, presentStats } from "../presenters/session.ts";

const Id = t.String({ minLength: 1, maxLength: 255 });

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
    });
}
