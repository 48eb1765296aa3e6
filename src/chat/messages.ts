// Chat messages as they travel: OpenAI's shape, content either a string or a list of parts.
export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool" | "developer" | "function";
  content: string | Array<Record<string, unknown>> | null;
  [field: string]: unknown;
}

/** The text of a message's content (text parts joined; images and files contribute nothing). */
export function textOf(content: ChatMessage["content"] | unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((p) => (p && typeof p === "object" && (p as { type?: unknown }).type === "text" ? String((p as { text?: unknown }).text ?? "") : ""))
    .filter(Boolean)
    .join("\n");
}

/** A conversation title from its first user message: the first line, at most 80 characters. */
export function titleFrom(text: string): string | null {
  const line = text.trim().split("\n")[0]?.trim() ?? "";
  if (!line) return null;
  return line.length > 80 ? `${line.slice(0, 77).trimEnd()}...` : line;
}
