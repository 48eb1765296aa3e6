// /conversations: create, list, read, update, delete, and read a conversation's messages.
import { Elysia, t } from "elysia";
import { actingUser, ownerScope } from "../../auth/principal.ts";
import type { ConversationService } from "../../conversations/service.ts";
import { badRequest } from "../../errors.ts";
import type { AuthPlugin } from "../auth.ts";
import { presentConversation, presentMessage } from "../presenters/conversation.ts";

const UserId = t.String({ minLength: 1, maxLength: 255, description: "the user the conversation belongs to" });
const Title = t.Union([t.String({ maxLength: 500 }), t.Null()]);
const Tags = t.Array(t.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 });
const Metadata = t.Object({}, { additionalProperties: true, description: "free-form JSON object, at most 16 KB" });
const IdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 255 }) });

export function conversationRoutes(service: ConversationService, auth: AuthPlugin) {
  return new Elysia({ name: "routes:conversations", detail: { tags: ["Conversations"] } })
    .use(auth)
    .post("/conversations", async ({ body, principal }) => {
      const input = body ?? {};
      return presentConversation(await service.create({ ...input, user_id: actingUser(principal, input.user_id) ?? undefined }));
    }, {
      body: t.Optional(
        t.Object({
          user_id: t.Optional(UserId),
          title: t.Optional(Title),
          tags: t.Optional(Tags),
          metadata: t.Optional(Metadata),
          model: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
        }),
      ),
      detail: { summary: "Create a conversation" },
    })
    .get(
      "/conversations",
      async ({ query, principal }) => {
        const userId = actingUser(principal, query.user_id);
        if (!userId) throw badRequest("The query parameter 'user_id' is required.", "user_id", "missing_required_parameter");
        const page = { limit: query.limit, offset: query.offset };
        const { data, total, has_more } = await service.list(userId, page, query.q);
        return { object: "list" as const, data: data.map(presentConversation), total, limit: page.limit, offset: page.offset, has_more };
      },
      {
        query: t.Object({
          user_id: t.Optional(UserId),
          limit: t.Integer({ minimum: 1, maximum: 100, default: 50 }),
          offset: t.Integer({ minimum: 0, default: 0 }),
          q: t.Optional(t.String({ maxLength: 255, description: "only conversations whose title contains this (any case)" })),
        }),
        detail: { summary: "List a user's conversations, most recently used first; `q` searches titles" },
      },
    )
    .get("/conversations/:id", async ({ params, principal }) => presentConversation(await service.get(params.id, ownerScope(principal))), {
      params: IdParams,
      detail: { summary: "Get a conversation" },
    })
    .patch(
      "/conversations/:id",
      async ({ params, body, principal }) => presentConversation(await service.update(params.id, body, ownerScope(principal))),
      {
        params: IdParams,
        body: t.Object({ title: t.Optional(Title), tags: t.Optional(Tags), metadata: t.Optional(Metadata) }),
        detail: { summary: "Change a conversation's title, tags or metadata" },
      },
    )
    .delete(
      "/conversations/:id",
      async ({ params, query, principal }) => {
        await service.remove(params.id, query.soft, ownerScope(principal));
        return { id: params.id, object: "conversation.deleted" as const, deleted: true, soft: query.soft };
      },
      {
        params: IdParams,
        query: t.Object({ soft: t.Boolean({ default: true, description: "false also removes the messages" }) }),
        detail: { summary: "Delete a conversation (soft by default)" },
      },
    )
    .get(
      "/conversations/:id/messages",
      async ({ params, query, principal }) => {
        const { data, has_more } = await service.messages(params.id, query, ownerScope(principal));
        return {
          object: "list" as const,
          data: data.map(presentMessage),
          first_id: data[0]?.id ?? null,
          last_id: data.at(-1)?.id ?? null,
          has_more,
        };
      },
      {
        params: IdParams,
        query: t.Object({
          limit: t.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          order: t.Union([t.Literal("asc"), t.Literal("desc")], { default: "asc" }),
          after: t.Optional(t.String({ minLength: 1, maxLength: 255, description: "a message id: return messages after it" })),
        }),
        detail: { summary: "List a conversation's messages" },
      },
    );
}
