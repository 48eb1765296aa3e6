// The response object of one Responses API request, as the spec shapes it. A draft is made when
// the request arrives (id, creation time, the request's settings echoed back, the ids of its output
// items); the stream's events and the stored object are both built from it, so their ids agree.
import { newId } from "../../lib/ids.ts";
import type { TokenUsage } from "../../pricing/prices.ts";
import type { ToolCall } from "../../storage/db/repos/messages.ts";

type Item = Record<string, any>;

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed" | "cancelled";

export interface ReplyState {
  text: string;
  toolCalls: ToolCall[];
  finishReason: string | null;
}

export interface Ending {
  usage: TokenUsage | null;
  /** Set when the call failed (the reply so far is kept). */
  error?: { code: string; message: string } | null;
  cancelled?: boolean;
}

export class ResponseDraft {
  readonly id = newId("resp");
  readonly messageItemId = newId("msg");
  readonly createdAt: number;
  private readonly callItemIds: string[] = [];
  /** The object last built as final (what was stored): the stream's closing event repeats it. */
  final: Item | null = null;

  constructor(
    private readonly request: Item,
    readonly model: string,
    now: Date,
    private readonly conversationId: string | null,
  ) {
    this.createdAt = Math.floor(now.getTime() / 1000);
  }

  callItemId(index: number): string {
    return (this.callItemIds[index] ??= newId("fc"));
  }

  /** The output items of a reply: its text as one message, then one item per function call. */
  output(reply: ReplyState, status: "in_progress" | "completed" | "incomplete"): Item[] {
    const items: Item[] = [];
    if (reply.text || !reply.toolCalls.length) {
      items.push({ id: this.messageItemId, type: "message", status, role: "assistant", content: [outputText(reply.text)] });
    }
    reply.toolCalls.forEach((call, i) => {
      items.push({
        id: this.callItemId(i),
        type: "function_call",
        status: "completed",
        call_id: call.id,
        name: call.function.name,
        arguments: call.function.arguments,
      });
    });
    return items;
  }

  /** The response object; `ending` absent: still in progress (the stream's first events). */
  build(reply: ReplyState, ending?: Ending): Item {
    const status = statusOf(reply, ending);
    const incomplete = status === "incomplete" ? { reason: reply.finishReason === "content_filter" ? "content_filter" : "max_output_tokens" } : null;
    const r = this.request;
    return {
      id: this.id,
      object: "response",
      created_at: this.createdAt,
      status,
      background: false,
      error: ending?.error ?? null,
      incomplete_details: incomplete,
      instructions: r.instructions ?? null,
      max_output_tokens: r.max_output_tokens ?? null,
      max_tool_calls: null,
      model: this.model,
      output:
        ending || reply.text || reply.toolCalls.length
          ? this.output(reply, status === "incomplete" ? "incomplete" : status === "in_progress" ? "in_progress" : "completed")
          : [],
      parallel_tool_calls: r.parallel_tool_calls ?? true,
      previous_response_id: r.previous_response_id ?? null,
      ...(this.conversationId && r.conversation ? { conversation: { id: this.conversationId } } : {}),
      reasoning: { effort: r.reasoning?.effort ?? null, summary: null },
      service_tier: "default",
      store: r.store ?? true,
      temperature: r.temperature ?? 1,
      text: { format: r.text?.format ?? { type: "text" }, ...(r.text?.verbosity ? { verbosity: r.text.verbosity } : {}) },
      tool_choice: r.tool_choice ?? "auto",
      tools: (r.tools ?? []).map((t: Item) => ({ strict: null, description: null, parameters: null, ...t })),
      top_p: r.top_p ?? 1,
      truncation: "disabled",
      // Absent rather than null where the spec allows no null.
      ...(ending ? { usage: usageOf(ending.usage) } : {}),
      ...(r.user != null ? { user: r.user } : {}),
      ...(r.safety_identifier != null ? { safety_identifier: r.safety_identifier } : {}),
      metadata: r.metadata ?? {},
    };
  }
}

export const outputText = (text: string) => ({ type: "output_text", text, annotations: [], logprobs: [] });

function statusOf(reply: ReplyState, ending: Ending | undefined): ResponseStatus {
  if (!ending) return "in_progress";
  if (ending.cancelled) return "cancelled";
  if (ending.error) return "failed";
  if (reply.finishReason === "length" || reply.finishReason === "content_filter") return "incomplete";
  return "completed";
}

export function usageOf(usage: TokenUsage | null) {
  const input = usage?.prompt_tokens ?? 0;
  const output = usage?.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage?.cached_tokens ?? 0, cache_write_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
}
