// Everything decided before the upstream is called for a /chat turn: which conversation and user,
// which model and provider, and the exact context to send.
import { systemPromptFor } from "../config/prompts.ts";
import { DEFAULT_CONTEXT_WINDOW } from "../config/schema.ts";
import { badRequest, notFound } from "../errors.ts";
import { newId } from "../lib/ids.ts";
import type { ChatBody } from "../providers/provider.ts";
import type { Route } from "../providers/registry.ts";
import type { HistoryMessage, ToolCall } from "../storage/db/repos/messages.ts";
import { imagePart, withAttachments, type PreparedAttachment } from "./attachments.ts";
import type { ChatContext } from "./chat-context.ts";
import { assertContentUrls } from "./content-urls.ts";
import { contextReserve, requestedAnswerTokens } from "./answer-room.ts";
import { buildContext } from "./history.ts";
import { historyWindows } from "./history-window.ts";
import { textOf, titleFrom, type ChatMessage } from "./messages.ts";
import type { TurnMessage } from "./record.ts";

export interface TurnInput {
  requestId: string;
  route: string;
  userId: string | null;
  conversationId: string | null;
  model: string | null;
  /** The new turn as the client sent it (a client system message replaces the configured prompt). */
  messages: ChatMessage[];
  /** Sampling parameters and any other OpenAI field, passed to the upstream as they are. */
  params: Record<string, unknown>;
  /** Files sent with the turn, already checked and read (see attachments.ts). */
  attachments: PreparedAttachment[];
}

export interface PreparedTurn {
  requestId: string;
  route: string;
  userId: string;
  conversationId: string;
  create: { title: string | null } | null;
  /** The model as the client named it (prices and records use this name). */
  model: string;
  upstream: Route;
  body: ChatBody;
  /** The messages sent upstream: the base of a usage estimate when the reply is cut short. */
  context: ChatMessage[];
  stored: TurnMessage[];
  attachments: PreparedAttachment[];
  startedAt: number;
}

/** Images of earlier turns sent again (newest first), so follow-up questions can refer to them. */
const MAX_REPLAYED_IMAGES = 4;

/** Stored messages as upstream messages; recent images are read back from storage. */
async function replay(ctx: ChatContext, messages: HistoryMessage[]): Promise<ChatMessage[]> {
  let images = MAX_REPLAYED_IMAGES;
  const out: ChatMessage[] = [];
  for (const m of [...messages].reverse()) {
    const stored = m.attachments.filter((a) => a.kind === "image").slice(-images);
    const parts: Array<Record<string, unknown>> = [];
    for (const a of stored.reverse()) {
      const bytes = await ctx.files.read(a.key).catch(() => null);
      if (bytes) parts.unshift(imagePart(a.content_type, bytes));
    }
    images -= parts.length;
    const content = parts.length ? [{ type: "text", text: m.content }, ...parts] : m.content;
    if (m.tool_calls?.length) out.push({ role: m.role, content: m.content || null, tool_calls: m.tool_calls });
    else if (m.role === "tool") out.push({ role: m.role, content, tool_call_id: m.tool_call_id ?? "" });
    else out.push({ role: m.role, content });
  }
  return out.reverse();
}

/** A message of the new turn as the conversation keeps it (tool calls and their answers included). */
function toStored(message: ChatMessage): TurnMessage {
  const content = textOf(message.content);
  if (message.role === "tool") return { role: "tool", content, tool_call_id: String(message.tool_call_id ?? "") };
  if (message.role === "assistant" && Array.isArray(message.tool_calls) && message.tool_calls.length)
    return { role: "assistant", content, tool_calls: message.tool_calls as ToolCall[] };
  return { role: message.role === "system" ? "system" : message.role === "assistant" ? "assistant" : "user", content };
}

export async function prepareTurn(ctx: ChatContext, input: TurnInput): Promise<PreparedTurn> {
  const { config, prompts } = ctx.loaded;
  assertContentUrls(input.messages, config.content_urls.allow);
  const model = input.model ?? config.model;
  const upstream = ctx.registry.route(model);

  const turn = input.messages.filter((m) => m.role !== "system");
  const lastUser = turn.findLastIndex((m) => m.role === "user");
  if (input.attachments.length && lastUser < 0) throw badRequest("Files need a user message to go with.", "messages");
  if (lastUser >= 0) turn[lastUser] = { ...turn[lastUser]!, content: withAttachments(turn[lastUser]!.content, input.attachments) };
  if (!turn.length) throw badRequest("The request has no user message: send `message` or a `messages` array with a user turn.", "messages");
  const clientSystem = input.messages.filter((m) => m.role === "system").at(-1);

  let userId = input.userId;
  let conversationId = input.conversationId;
  let history: HistoryMessage[] = [];
  let create: PreparedTurn["create"] = null;
  if (conversationId) {
    const stored = await historyWindows(ctx.store).read(ctx.store, conversationId, config.max_history_items);
    if (!stored || (userId !== null && stored.userId !== userId)) {
      throw notFound(`No conversation found with id '${conversationId}'.`, "conversation_not_found");
    }
    userId = stored.userId;
    history = stored.messages;
  } else {
    conversationId = newId("conv");
    userId ??= newId("user");
    const firstUser = turn.find((m) => m.role === "user");
    create = { title: titleFrom(textOf(firstUser?.content ?? "")) };
  }

  const storedSystem = history.filter((m) => m.role === "system").at(-1);
  const systemPrompt = clientSystem ? textOf(clientSystem.content) : (storedSystem?.content ?? systemPromptFor(prompts, model));
  const contextWindow = config.models[model]?.context_window ?? DEFAULT_CONTEXT_WINDOW;
  const { messages } = await buildContext({
    systemPrompt,
    history: await replay(
      ctx,
      history.filter((m) => m.role !== "system"),
    ),
    newTurn: turn,
    maxHistoryItems: config.max_history_items,
    contextWindow,
    reserveForOutput: contextReserve(contextWindow, requestedAnswerTokens(input.params)),
  });

  return {
    requestId: input.requestId,
    route: input.route,
    userId,
    conversationId,
    create,
    model,
    upstream,
    body: { ...input.params, model: upstream.upstreamModel, messages },
    context: messages,
    stored: [...input.messages.filter((m) => m.role === "system"), ...turn].map(toStored),
    attachments: input.attachments,
    startedAt: performance.now(),
  };
}
