// Chat-completion chunks → the Responses API's typed stream events, in the spec's order:
// response.created, response.in_progress, then per output item output_item.added, (content_part.added,
// output_text.delta…, output_text.done, content_part.done | function_call_arguments.delta…,
// function_call_arguments.done), output_item.done, and last response.completed / .incomplete /
// .failed. Every event carries its sequence_number.
import type { ChatCompletionChunk } from "../../providers/provider.ts";
import { addToolCallDelta } from "../metered-stream.ts";
import { outputText, type ReplyState, type ResponseDraft } from "./draft.ts";

type Item = Record<string, any>;

export const eventFrame = (event: Item): string => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

export class ResponseEvents {
  private seq = 0;
  private readonly reply: ReplyState = { text: "", toolCalls: [], finishReason: null };
  private nextOutput = 0;
  /** Output index of the text message, once opened; null once closed. */
  private textAt: number | null = null;
  private textClosed = false;
  /** Output index per tool-call index, and whether its arguments are done. */
  private readonly callAt = new Map<number, { outputIndex: number; closed: boolean }>();

  constructor(private readonly draft: ResponseDraft) {}

  private event(type: string, fields: Item): Item {
    return { type, ...fields, sequence_number: this.seq++ };
  }

  start(): Item[] {
    const response = this.draft.build(this.reply);
    return [this.event("response.created", { response }), this.event("response.in_progress", { response })];
  }

  chunk(chunk: ChatCompletionChunk): Item[] {
    const out: Item[] = [];
    const choice = chunk.choices?.[0];
    if (!choice) return out;
    const text = choice.delta?.content;
    if (text) {
      const at = this.openText(out);
      this.reply.text += text;
      out.push(this.event("response.output_text.delta", { item_id: this.draft.messageItemId, output_index: at, content_index: 0, delta: text, logprobs: [] }));
    }
    for (const d of choice.delta?.tool_calls ?? []) {
      this.closeText(out);
      const known = this.callAt.get(d.index);
      addToolCallDelta(this.reply.toolCalls, d);
      const call = this.reply.toolCalls[d.index]!;
      const itemId = this.draft.callItemId(d.index);
      const outputIndex = known?.outputIndex ?? this.nextOutput++;
      if (!known) {
        this.callAt.set(d.index, { outputIndex, closed: false });
        out.push(
          this.event("response.output_item.added", {
            output_index: outputIndex,
            item: { id: itemId, type: "function_call", status: "in_progress", call_id: call.id, name: call.function.name, arguments: "" },
          }),
        );
      }
      if (d.function?.arguments)
        out.push(this.event("response.function_call_arguments.delta", { item_id: itemId, output_index: outputIndex, delta: d.function.arguments }));
    }
    if (choice.finish_reason) this.reply.finishReason = choice.finish_reason;
    return out;
  }

  /** The closing events; `final` is the response object as stored (or built at the end). */
  finish(final: Item): Item[] {
    const out: Item[] = [];
    if (final.status === "cancelled") return out; // nobody is listening any more
    if (final.status !== "failed") {
      if (!this.reply.text && !this.reply.toolCalls.length) this.openText(out); // an empty answer is still a message
      this.closeText(out, final);
      for (const [index, state] of this.callAt) {
        if (state.closed) continue;
        state.closed = true;
        const call = this.reply.toolCalls[index]!;
        const itemId = this.draft.callItemId(index);
        out.push(
          this.event("response.function_call_arguments.done", {
            item_id: itemId,
            output_index: state.outputIndex,
            name: call.function.name,
            arguments: call.function.arguments,
          }),
        );
        out.push(this.event("response.output_item.done", { output_index: state.outputIndex, item: final.output.find((i: Item) => i.id === itemId) }));
      }
    }
    const type = final.status === "failed" ? "response.failed" : final.status === "incomplete" ? "response.incomplete" : "response.completed";
    out.push(this.event(type, { response: final }));
    return out;
  }

  /** An error event (the spec's `error`), for failures that leave no response to report. */
  error(body: { message: string; code: string | null; param: string | null }): Item {
    return this.event("error", { code: body.code, message: body.message, param: body.param });
  }

  private openText(out: Item[]): number {
    if (this.textAt !== null) return this.textAt;
    const at = (this.textAt = this.nextOutput++);
    const itemId = this.draft.messageItemId;
    out.push(
      this.event("response.output_item.added", {
        output_index: at,
        item: { id: itemId, type: "message", status: "in_progress", role: "assistant", content: [] },
      }),
    );
    out.push(this.event("response.content_part.added", { item_id: itemId, output_index: at, content_index: 0, part: outputText("") }));
    return at;
  }

  private closeText(out: Item[], final?: Item): void {
    if (this.textAt === null || this.textClosed) return;
    this.textClosed = true;
    const at = this.textAt;
    const itemId = this.draft.messageItemId;
    const part = outputText(this.reply.text);
    out.push(this.event("response.output_text.done", { item_id: itemId, output_index: at, content_index: 0, text: this.reply.text, logprobs: [] }));
    out.push(this.event("response.content_part.done", { item_id: itemId, output_index: at, content_index: 0, part }));
    const item = final?.output.find((i: Item) => i.id === itemId) ?? { id: itemId, type: "message", status: "completed", role: "assistant", content: [part] };
    out.push(this.event("response.output_item.done", { output_index: at, item }));
  }
}
