// URLs inside content parts (image_url, file_url, audio/video URLs, file.file_url …) go to the
// upstream, which may fetch them from inside its network. So only `data:` URLs and `https:` URLs to
// public hosts pass, plus whatever the operator allows by prefix (content_urls.allow, e.g. a
// self-hosted upstream's `http://10.0.0.5:8080/`). Anything else is a 400 naming the part.
// TextLLM itself never fetches these URLs.
import { badRequest } from "../errors.ts";
import { isPublicHost } from "../lib/public-host.ts";
import type { ChatMessage } from "./messages.ts";

/** Why a URL may not be sent upstream, or null when it may. */
export function urlRefusal(raw: string, allowPrefixes: string[]): string | null {
  if (/^data:/i.test(raw)) return null;
  // Characters that parsers read differently (a backslash, spaces, controls): what we check must be
  // what the upstream sees.
  if (/[\\\s\u0000-\u001f\u007f]/.test(raw)) return "contains a backslash, whitespace or control character";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "is not an absolute URL";
  }
  if (allowPrefixes.some((prefix) => url.href.startsWith(normalizedPrefix(prefix)))) return null;
  if (url.protocol !== "https:") return `uses '${url.protocol}': only data: and https: URLs are accepted`;
  if (url.username || url.password) return "carries credentials";
  if (!isPublicHost(url.hostname)) return "points to a loopback, private, link-local or internal address";
  return null;
}

const prefixCache = new Map<string, string>();

/** Prefixes compare with parsed URLs: `http://10.0.0.5:8080` becomes `http://10.0.0.5:8080/`. */
function normalizedPrefix(prefix: string): string {
  let out = prefixCache.get(prefix);
  if (out === undefined) {
    try {
      out = new URL(prefix).href;
    } catch {
      out = prefix;
    }
    prefixCache.set(prefix, out);
  }
  return out;
}

/** Every URL-valued field of one content part, with its path inside the part. */
function partUrls(part: Record<string, unknown>): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(part)) {
    if (key === "type") continue;
    if (typeof value === "string") {
      if (key.endsWith("_url") || key === "url") found.push([key, value]);
    } else if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value)) {
        if (typeof innerValue === "string" && (inner === "url" || inner.endsWith("_url"))) found.push([`${key}.${inner}`, innerValue]);
      }
    }
  }
  return found;
}

/** Refuses (400) the first content part whose URL may not go upstream. */
export function assertContentUrls(messages: ChatMessage[], allowPrefixes: string[]): void {
  messages.forEach((message, i) => {
    if (!Array.isArray(message.content)) return;
    message.content.forEach((part, j) => {
      if (!part || typeof part !== "object") return;
      for (const [path, url] of partUrls(part)) {
        const reason = urlRefusal(url, allowPrefixes);
        if (!reason) continue;
        const param = `messages[${i}].content[${j}].${path}`;
        throw badRequest(`The URL in '${param}' ${reason}. Send the file itself (data: URL or upload) or a public https: URL.`, param, "invalid_url");
      }
    });
  });
}
