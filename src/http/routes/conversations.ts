// /conversations: create, list, read, update, delete, and read a conversation's messages.
import { Elysia } from "elysia";
import type { RouteDeps } from "../route-deps.ts";
import { actingUser, ownerScope } from "../../auth/principal.ts";
import { badRequest } from "../../errors.ts";
import { operationDoc } from "../operation-doc.ts";
import { presentConversation, presentMessage } from "../presenters/conversation.ts";
import { IdParams } from "../schemas/common.ts";
import {
  CONVERSATION_EXAMPLE,
  ConversationListSchema,
  ConversationSchema,
  CreateConversationSchema,
  DeleteConversationQuery,
  DeletedConversationSchema,
  ListConversationsQuery,
  ListMessagesQuery,
  MESSAGE_EXAMPLE,
  MessageListSchema,
  UpdateConversationSchema,
} from "../schemas/conversations.ts";
import { BODY_ERRORS, WRITE_ERRORS } from "../schemas/errors.ts";

const conversation = { schema: ConversationSchema, example: CONVERSATION_EXAMPLE, description: "The conversation" };
const CREATE_EXAMPLE = { user_id: "alice", title: "Trip to Lisbon", tags: ["travel"], metadata: { project: "holidays" } };

export function conversationRoutes({ conversations: service, auth }: RouteDeps) {
  return new Elysia({ name: "routes:conversations", detail: { tags: ["Conversations"] } })
    .use(auth)
    .post(
      "/conversations",
      async ({ body, principal }) => {
        const input = body ?? {};
        return presentConversation(await service.create({ ...input, user_id: actingUser(principal, input.user_id) ?? undefined }));
      },
      {
        body: CreateConversationSchema,
        detail: operationDoc({
          summary: "Create a conversation",
          body: { required: false, json: { schema: CreateConversationSchema, example: CREATE_EXAMPLE } },
          ok: conversation,
          errors: [...BODY_ERRORS, ...WRITE_ERRORS, 404],
        }),
      },
    )
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
        query: ListConversationsQuery,
        detail: operationDoc({
          summary: "List a user's conversations, most recently used first; `q` searches titles",
          ok: {
            schema: ConversationListSchema,
            example: { object: "list", data: [CONVERSATION_EXAMPLE], total: 1, limit: 50, offset: 0, has_more: false },
            description: "One page of conversations",
          },
          errors: [400, 404],
        }),
      },
    )
    .get("/conversations/:id", async ({ params, principal }) => presentConversation(await service.get(params.id, ownerScope(principal))), {
      params: IdParams,
      detail: operationDoc({ summary: "Get a conversation", ok: conversation, errors: [400, 404] }),
    })
    .patch("/conversations/:id", async ({ params, body, principal }) => presentConversation(await service.update(params.id, body, ownerScope(principal))), {
      params: IdParams,
      body: UpdateConversationSchema,
      detail: operationDoc({
        summary: "Change a conversation's title, tags or metadata",
        body: { json: { schema: UpdateConversationSchema, example: { title: "Lisbon in spring", tags: ["travel", "2027"] } } },
        ok: { ...conversation, description: "The changed conversation" },
        errors: [...BODY_ERRORS, ...WRITE_ERRORS, 404],
      }),
    })
    .delete(
      "/conversations/:id",
      async ({ params, query, principal }) => {
        await service.remove(params.id, query.soft, ownerScope(principal));
        return { id: params.id, object: "conversation.deleted" as const, deleted: true, soft: query.soft };
      },
      {
        params: IdParams,
        query: DeleteConversationQuery,
        detail: operationDoc({
          summary: "Delete a conversation (soft by default)",
          ok: {
            schema: DeletedConversationSchema,
            example: { id: CONVERSATION_EXAMPLE.id, object: "conversation.deleted", deleted: true, soft: true },
            description: "Deleted",
          },
          errors: [400, 404],
        }),
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
        query: ListMessagesQuery,
        detail: operationDoc({
          summary: "List a conversation's messages",
          ok: {
            schema: MessageListSchema,
            example: { object: "list", data: [MESSAGE_EXAMPLE], first_id: MESSAGE_EXAMPLE.id, last_id: MESSAGE_EXAMPLE.id, has_more: false },
            description: "One page of messages",
          },
          errors: [400, 404],
        }),
      },
    );
}
