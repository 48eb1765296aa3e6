// API shapes of stored records: snake_case as in the seeds, money in dollars.
import type { Conversation } from "../../storage/db/repos/conversations.ts";
import type { Message } from "../../storage/db/repos/messages.ts";
import { microsToUsd } from "../../pricing/money.ts";

export function presentConversation(c: Conversation) {
  return {
    id: c.id,
    object: "conversation" as const,
    user_id: c.user_id,
    session_id: c.session_id,
    title: c.title,
    summary: c.summary,
    tags: c.tags,
    metadata: c.metadata,
    model: c.model,
    created_at: c.created_at,
    updated_at: c.updated_at,
    last_used: c.last_used,
    message_count: c.message_count,
    total_tokens_input: c.total_tokens_input,
    total_tokens_output: c.total_tokens_output,
    total_cost: microsToUsd(c.total_cost),
    image_urls: c.image_urls,
    last_image_url: c.last_image_url,
  };
}

export function presentMessage(m: Message) {
  return {
    id: m.id,
    object: "conversation.message" as const,
    conversation_id: m.conversation_id,
    message_number: m.seq,
    role: m.role,
    content: m.content,
    attachments: m.attachments,
    model: m.model,
    usage: { prompt_tokens: m.tokens_input, completion_tokens: m.tokens_output, total_tokens: m.tokens_input + m.tokens_output },
    cost: microsToUsd(m.cost),
    finish_reason: m.finish_reason,
    ...(m.tool_calls ? { tool_calls: m.tool_calls } : {}),
    ...(m.tool_call_id ? { tool_call_id: m.tool_call_id } : {}),
    created_at: m.created_at,
  };
}
