// How deeply a JSON text nests, found before it is parsed: a body nested 100,000 levels deep parses,
// then overflows the stack of whatever walks it next (validation, a copy, the upstream call). Every
// JSON the server accepts (request bodies, the `messages` form field) is refused past MAX_JSON_DEPTH.
import { badRequest } from "../errors.ts";

/** Far deeper than any chat message, tool schema or metadata a client sends. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** True when `text` opens more than `max` objects/arrays inside one another (strings are skipped). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, i);
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** The index of the quote that ends the string opened at `open` (or the end of the text). */
function closingQuote(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

/** Refuses (400) JSON nested deeper than MAX_JSON_DEPTH; `param` names the form field it came in. */
export function assertJsonDepth(text: string, param: string | null = null): void {
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw badRequest(`The JSON ${param ? `in '${param}'` : "body"} is nested more than ${MAX_JSON_DEPTH} levels deep.`, param, "json_too_deep");
  }
}
