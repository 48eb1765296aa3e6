// Conversations: the user's most recently used ones, searched by title on the server (`q`); open one in the chat,
// rename and tag it, delete it (after a confirmation).
import { currentAuth, enc, getJson, sendJson, type Auth } from "./api.ts";
import { errorLine, h, replace, usd, when } from "./dom.ts";

interface Conversation {
  id: string;
  title: string | null;
  tags: string[];
  message_count: number;
  total_cost: number;
  last_used: string;
  model: string | null;
}

/** How many of the most recent conversations are listed (the API's page size). */
const PAGE = 100;

export async function conversationsPage(root: HTMLElement): Promise<void> {
  const auth = currentAuth() as Auth;
  const search = h("input", { type: "search", placeholder: "Search by title", "aria-label": "Search by title" });
  const list = h("div", { class: "list" });
  const note = h("p", { class: "muted" });
  replace(root, h("section", {}, h("div", { class: "page-head" }, h("h2", {}, "Conversations"), search), note, list));

  let all: Conversation[] = [];
  let searched = "";
  const load = async () => {
    searched = search.value.trim();
    const page = await getJson<{ data: Conversation[]; total: number }>(`/conversations?user_id=${enc(auth.userId)}&limit=${PAGE}&q=${enc(searched)}`);
    if (searched !== search.value.trim()) return; // a newer search is on its way
    all = page.data;
    note.textContent = page.total > PAGE ? `The ${PAGE} most recently used of ${page.total}.` : "";
    show();
  };

  function row(c: Conversation): HTMLElement {
    const el = h("article", { class: "row", "data-id": c.id });
    const view = () =>
      replace(
        el,
        h(
          "div",
          { class: "row-main" },
          h("a", { class: "title", href: `#/chat/${c.id}` }, c.title || "Untitled conversation"),
          h("div", { class: "muted" }, `${c.message_count} messages · ${usd(c.total_cost)} · ${when(c.last_used)}`),
          c.tags.length
            ? h(
                "ul",
                { class: "tags" },
                c.tags.map((tag) => h("li", {}, tag)),
              )
            : null,
        ),
        h(
          "div",
          { class: "row-actions" },
          h("a", { class: "button", href: `#/chat/${c.id}` }, "Open"),
          h("button", { type: "button", onclick: edit }, "Rename / tag"),
          h("button", { type: "button", class: "danger", onclick: remove }, "Delete"),
        ),
      );
    function edit() {
      const titleInput = h("input", { name: "title", value: c.title ?? "", "aria-label": "Title", maxlength: 255 });
      const tagsInput = h("input", { name: "tags", value: c.tags.join(", "), placeholder: "tags, comma separated", "aria-label": "Tags" });
      const problem = h("div");
      const form = h(
        "form",
        { class: "edit" },
        titleInput,
        tagsInput,
        h("button", { type: "submit", class: "primary" }, "Save"),
        h("button", { type: "button", onclick: view }, "Cancel"),
        problem,
      );
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const tags = tagsInput.value
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean);
        try {
          Object.assign(c, await sendJson<Conversation>("PATCH", `/conversations/${enc(c.id)}`, { title: titleInput.value.trim(), tags }));
          view();
        } catch (err) {
          replace(problem, errorLine((err as Error).message));
        }
      });
      replace(el, form);
      titleInput.focus();
    }
    async function remove() {
      if (!confirm(`Delete “${c.title || "Untitled conversation"}”? This cannot be undone here.`)) return;
      try {
        await sendJson("DELETE", `/conversations/${enc(c.id)}`);
        all = all.filter((x) => x !== c);
        el.remove();
      } catch (err) {
        el.append(errorLine((err as Error).message));
      }
    }
    view();
    return el;
  }

  function show() {
    replace(list, all.length ? all.map(row) : h("p", { class: "muted" }, searched ? "No conversation has that in its title." : "No conversations yet."));
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => void load().catch((err) => replace(list, errorLine((err as Error).message))), 200);
  });
  await load().catch((err) => replace(list, errorLine((err as Error).message)));
}
