// API shapes of stored records: snake_case as in the seeds, money in dollars.
import type { Conversation } from "../../storage/db/repos/conversations.ts";
import type { Message } from "../../storage/db/repos/messages.ts";
import { microsToUsd } from "../../pricing/money.ts";

export function presentConversation(conversation: Conversation) {
  return {
    id: conversation.id,
    object: "conversation" as const,
    user_id: conversation.user_id,
    session_id: conversation.session_id,
    title: conversation.title,
    summary: conversation.summary,
    tags: conversation.tags,
    metadata: conversation.metadata,
    model: conversation.model,
    created_at: conversation.created_at,
    updated_at: conversation.updated_at,
    last_used: conversation.last_used,
    message_count: conversation.message_count,
    total_tokens_input: conversation.total_tokens_input,
    total_tokens_output: conversation.total_tokens_output,
    total_cost: microsToUsd(conversation.total_cost),
    image_urls: conversation.image_urls,
    last_image_url: conversation.last_image_url,
  };
}

export function presentMessage(message: Message) {
  return {
    id: message.id,
    object: "conversation.message" as const,
    conversation_id: message.conversation_id,
    message_number: message.seq,
    role: message.role,
    content: message.content,
    attachments: message.attachments,
    model: message.model,
    usage: { prompt_tokens: message.tokens_input, completion_tokens: message.tokens_output, total_tokens: message.tokens_input + message.tokens_output },
    cost: microsToUsd(message.cost),
    finish_reason: message.finish_reason,
    ...(message.tool_calls ? { tool_calls: message.tool_calls } : {}),
    ...(message.tool_call_id ? { tool_call_id: message.tool_call_id } : {}),
    created_at: message.created_at,
  };
}
