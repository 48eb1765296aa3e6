// The terminal client's view of a TextLLM server: its HTTP API only. Every failure becomes a
// CliError whose message is one line a person can act on.
import { EventSourceParserStream } from "eventsource-parser/stream";
import { basename } from "node:path";

export class CliError extends Error {}

export interface Attachment {
  path: string;
  field: "files" | "images";
}

export interface ChatTurn {
  message: string;
  conversationId: string | null;
  userId: string | null;
  model: string | null;
  attachments: Attachment[];
}

export interface TurnSummary {
  conversationId: string;
  userId: string;
  messageNumber: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  text: string;
  stopped: boolean;
}

export interface ConversationInfo {
  id: string;
  title: string | null;
  message_count: number;
  last_used: string;
  total_cost: number;
}

export interface MessageInfo {
  role: string;
  content: string;
  message_number: number;
  attachments: Array<{ filename: string; kind: string }>;
  usage: { prompt_tokens: number; completion_tokens: number };
  cost: number;
  finish_reason: string | null;
}

interface ErrorBody {
  error?: { message?: string; code?: string | null };
}

export function apiClient(baseUrl: string, apiKey: string | null) {
  const headers = (extra: Record<string, string> = {}) => ({ ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...extra });

  async function send(path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${path}`, { ...init, headers: headers(init.headers as Record<string, string>) });
    } catch (err) {
      if ((err as Error).name === "AbortError") throw err;
      throw new CliError(`cannot reach the TextLLM server at ${baseUrl} — is it running? (start it with: textllm serve)`);
    }
    if (res.ok) return res;
    throw await describeFailure(res);
  }

  async function json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await (await send(path, init)).json()) as T;
  }

  return {
    baseUrl,

    /** One streamed turn; `onText` gets each piece of the reply as it arrives. */
    async chat(turn: ChatTurn, onText: (text: string) => void, signal: AbortSignal): Promise<TurnSummary> {
      const fields: Record<string, string> = { stream: "true" };
      if (turn.conversationId) fields.conversation_id = turn.conversationId;
      if (turn.userId) fields.user_id = turn.userId;
      if (turn.model) fields.model = turn.model;
      let init: RequestInit;
      if (turn.attachments.length) {
        const form = new FormData();
        form.append("message", turn.message);
        for (const [k, v] of Object.entries(fields)) form.append(k, v);
        for (const a of turn.attachments) form.append(a.field, await readAttachment(a.path));
        init = { method: "POST", body: form, signal };
      } else {
        init = {
          method: "POST",
          body: JSON.stringify({ message: turn.message, ...fields, stream: true }),
          headers: { "content-type": "application/json" },
          signal,
        };
      }
      const res = await send("/chat", init);
      // The server keeps generating after a disconnect: stopping (Ctrl-C) asks it to end the answer there.
      const streamId = res.headers.get("x-stream-id");
      const owner = turn.userId ? `?user_id=${encodeURIComponent(turn.userId)}` : "";
      const cancel = () => void send(`/chat/streams/${streamId}/cancel${owner}`, { method: "POST" }).catch(() => undefined);
      if (streamId) signal?.addEventListener("abort", cancel, { once: true });
      const summary: TurnSummary = {
        conversationId: res.headers.get("x-conversation-id") ?? turn.conversationId ?? "",
        userId: turn.userId ?? "",
        messageNumber: 0,
        promptTokens: 0,
        completionTokens: 0,
        cost: 0,
        text: "",
        stopped: false,
      };
      try {
        const events = res.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
        for await (const event of events as unknown as AsyncIterable<{ data: string }>) {
          if (event.data === "[DONE]") break;
          const frame = JSON.parse(event.data) as Record<string, any>;
          if (frame.error) throw new CliError(`the reply failed: ${frame.error.message}`);
          if (frame.user_id) summary.userId = frame.user_id;
          const piece = frame.choices?.[0]?.delta?.content;
          if (piece) {
            summary.text += piece;
            onText(piece);
          }
          if (frame.usage) {
            summary.promptTokens = frame.usage.prompt_tokens;
            summary.completionTokens = frame.usage.completion_tokens;
            summary.cost = frame.cost ?? 0;
            summary.messageNumber = frame.message_number ?? 0;
          }
        }
      } catch (err) {
        if (signal.aborted) summary.stopped = true;
        else if (err instanceof CliError) throw err;
        else throw new CliError(`the connection to the server broke during the reply`);
      }
      return summary;
    },

    conversations: (userId: string | null, limit = 10) =>
      json<{ data: ConversationInfo[] }>(`/conversations?limit=${limit}${userId ? `&user_id=${encodeURIComponent(userId)}` : ""}`).then((r) => r.data),

    async messages(conversationId: string, limit: number): Promise<MessageInfo[]> {
      const page = await json<{ data: MessageInfo[] }>(`/conversations/${encodeURIComponent(conversationId)}/messages?order=desc&limit=${limit}`);
      return page.data.reverse();
    },

    /**
     * The reply the server stored after this client stopped it (it keeps the partial reply and
     * bills it): the newest message once it is an assistant's numbered above `afterNumber`.
     * Null if it is not there within `timeoutMs`.
     */
    async storedReply(conversationId: string, afterNumber: number, timeoutMs = 5000): Promise<MessageInfo | null> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const [newest] = await this.messages(conversationId, 1).catch(() => []);
        if (newest && newest.role === "assistant" && newest.message_number > afterNumber) return newest;
        await Bun.sleep(100);
      }
      return null;
    },

    conversation: (id: string) => json<ConversationInfo>(`/conversations/${encodeURIComponent(id)}`),

    deleteConversation: (id: string) => json<unknown>(`/conversations/${encodeURIComponent(id)}`, { method: "DELETE" }),

    sessions: (userId: string) =>
      json<{ current: { total_cost: number; total_tokens: number; request_count: number; conversation_count: number } | null }>(
        `/users/${encodeURIComponent(userId)}/sessions?limit=1`,
      ),

    stats: (userId: string, days = 30) =>
      json<{ total_conversations: number; total_messages: number; total_tokens_input: number; total_tokens_output: number; total_cost: number }>(
        `/users/${encodeURIComponent(userId)}/stats?days=${days}`,
      ),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

async function readAttachment(path: string): Promise<File> {
  const file = Bun.file(path);
  if (!(await file.exists())) throw new CliError(`cannot read ${path}: no such file`);
  return new File([await file.arrayBuffer()], basename(path));
}

/** The server's own words, said as one line. */
async function describeFailure(res: Response): Promise<CliError> {
  let detail = "";
  try {
    detail = ((await res.json()) as ErrorBody).error?.message ?? "";
  } catch {
    detail = "";
  }
  switch (res.status) {
    case 401:
      return new CliError(`the server refused the API key (401) — pass --api-key or set TEXTLLM_API_KEY`);
    case 402:
      return new CliError(`budget reached: ${detail}`);
    case 429: {
      const wait = res.headers.get("retry-after");
      return new CliError(`rate limited — try again in ${wait ?? "a few"} seconds`);
    }
    case 404:
      return new CliError(detail || "not found");
    default:
      return new CliError(`the server answered ${res.status}${detail ? `: ${detail}` : ""}`);
  }
}
