// A small Markdown renderer for model answers that builds DOM nodes (text nodes, never HTML
// strings): HTML in the answer shows as text, links only open http(s) addresses. Covers what chat
// answers use: paragraphs, headings, lists, quotes, fenced code, inline code, bold, italic, links.
import { h, type Child } from "./dom.ts";

const INLINE = /(`[^`\n]+`)|(\*\*[^*\n]+\*\*|__[^_\n]+__)|(\*[^*\s][^*\n]*\*|_[^_\s][^_\n]*_)|(\[[^\]\n]+\]\([^)\s]+\))/;

function safeHref(href: string): string | null {
  try {
    const url = new URL(href, location.href);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

export function inline(text: string): Child[] {
  const out: Child[] = [];
  let rest = text;
  for (let match = INLINE.exec(rest); match; match = INLINE.exec(rest)) {
    if (match.index > 0) out.push(rest.slice(0, match.index));
    const token = match[0];
    if (match[1]) out.push(h("code", {}, token.slice(1, -1)));
    else if (match[2]) out.push(h("strong", {}, ...inline(token.slice(2, -2))));
    else if (match[3]) out.push(h("em", {}, ...inline(token.slice(1, -1))));
    else {
      const [, label = "", href = ""] = /^\[([^\]]+)\]\(([^)]+)\)$/.exec(token) ?? [];
      const safe = safeHref(href);
      out.push(safe ? h("a", { href: safe, target: "_blank", rel: "noopener noreferrer" }, ...inline(label)) : token);
    }
    rest = rest.slice(match.index + token.length);
  }
  if (rest) out.push(rest);
  return out;
}

const LIST_ITEM = /^\s*([-*+]|\d+[.)])\s+(.*)$/;

/** Renders `source` into a fragment of block elements. */
export function markdown(source: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    const fence = /^\s*```(.*)$/.exec(line);
    if (fence) {
      const code: string[] = [];
      for (index++; index < lines.length && !/^\s*```\s*$/.test(lines[index]!); index++) code.push(lines[index]!);
      index++; // the closing fence (or the end of an answer still streaming)
      fragment.append(h("pre", {}, h("code", { "data-lang": fence[1]!.trim() || null }, code.join("\n"))));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = Math.min(heading[1]!.length + 2, 6) as 3 | 4 | 5 | 6; // answers' headings sit below the page's
      fragment.append(h(`h${level}`, {}, ...inline(heading[2]!)));
      index++;
      continue;
    }
    if (LIST_ITEM.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const list = h(ordered ? "ol" : "ul");
      for (; index < lines.length && LIST_ITEM.test(lines[index]!); index++) list.append(h("li", {}, ...inline(LIST_ITEM.exec(lines[index]!)![2]!)));
      fragment.append(list);
      continue;
    }
    if (/^\s*>/.test(line)) {
      const quoted: string[] = [];
      for (; index < lines.length && /^\s*>/.test(lines[index]!); index++) quoted.push(lines[index]!.replace(/^\s*>\s?/, ""));
      fragment.append(h("blockquote", {}, markdown(quoted.join("\n"))));
      continue;
    }
    if (!line.trim()) {
      index++;
      continue;
    }
    const paragraph: string[] = [];
    for (; index < lines.length && lines[index]!.trim() && !/^\s*(```|#{1,6}\s|>)/.test(lines[index]!) && !LIST_ITEM.test(lines[index]!); index++) {
      paragraph.push(lines[index]!);
    }
    const children: Child[] = [];
    paragraph.forEach((text, i) => children.push(i ? h("br") : null, ...inline(text)));
    fragment.append(h("p", {}, ...children));
  }
  return fragment;
}
