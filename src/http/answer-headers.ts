// Every upstream answer says who gave it: x-textllm-model (the configured model that answered — a
// fallback, if it came to that) and x-textllm-provider, on whole and streamed answers alike; the
// access log line gets the same two fields. The pipeline notes them by request id (answer-notes.ts).
import { Elysia } from "elysia";
import type { AnswerNotes } from "../providers/answer-notes.ts";
import type { RequestTracker } from "../observability/request-tracker.ts";

export function answerHeaders(notes: AnswerNotes, tracker: RequestTracker) {
  const idOf = (headers: Record<string, unknown>) => String(headers["x-request-id"] ?? "");
  return new Elysia({ name: "answer-headers" })
    .onAfterHandle({ as: "global" }, ({ request, set, responseValue }) => {
      const answer = notes.peek(idOf(set.headers));
      if (!answer) return;
      const headers = { "x-textllm-model": answer.model, "x-textllm-provider": answer.provider };
      if (responseValue instanceof Response) for (const [name, value] of Object.entries(headers)) responseValue.headers.set(name, value);
      else Object.assign(set.headers, headers);
      tracker.annotate(request, { model: answer.model, provider: answer.provider });
    })
    .onAfterResponse({ as: "global" }, ({ set }) => notes.drop(idOf(set.headers)));
}
