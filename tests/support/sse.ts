// Reads a whole server-sent-events response into the data payloads of its events, as an SSE client
// does: data lines joined with "\n", one optional space after "data:" removed.
export async function readSse(res: Response): Promise<string[]> {
  const text = await res.text();
  const out: string[] = [];
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).replace(/^ /, ""));
    if (data.length) out.push(data.join("\n"));
  }
  return out;
}

// Resumable streams (chat-streams, two-process tests): events with their ids, read part-way.
export interface SseEvent {
  id: number | null;
  data: string;
}

/** SSE events of a text (comments and the incomplete tail left out). */
export function parseEvents(text: string): SseEvent[] {
  return text
    .split("\n\n")
    .slice(0, -1)
    .map((block) => {
      const lines = block.split("\n");
      const id = lines.find((l) => l.startsWith("id: "));
      const data = lines
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n");
      return { id: id ? Number(id.slice(4)) : null, data };
    })
    .filter((e) => e.data !== "");
}

export const contentOf = (events: SseEvent[]) =>
  events
    .filter((e) => e.data !== "[DONE]")
    .map((e) => JSON.parse(e.data)?.choices?.[0]?.delta?.content ?? "")
    .join("");

/** Reads a response until `enough` content chunks arrived, then drops the connection. */
export async function readThenDrop(res: Response, controller: AbortController, chunks: number): Promise<SseEvent[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const events = parseEvents(text);
    const withText = events.filter((e) => e.data !== "[DONE]" && JSON.parse(e.data)?.choices?.[0]?.delta?.content);
    if (withText.length >= chunks) {
      controller.abort();
      return events.slice(0, events.indexOf(withText[chunks - 1]!) + 1);
    }
    const { done, value } = await reader.read();
    if (done) throw new Error(`the stream ended early: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
}
