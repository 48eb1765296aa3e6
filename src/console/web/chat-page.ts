// Chat: pick a model, send a turn (with files dropped or picked), read the answer as it streams,
// stop it (Esc), see each turn's tokens and cost and the budget left today; continue a stored
// conversation (#/chat/<id>). Turns go to POST /chat (turn-stream.ts), which keeps the history server-side.
// A reply still streaming when the page is reloaded is followed on in the reloaded page.
import { ApiError, currentAuth, download, enc, getJson, request, type Auth } from "./api.ts";
import { cancelStream, forgetStream, inFlightStream, resumeTurn, streamTurn, type TurnEvents } from "./turn-stream.ts";
import { append, bytes, errorLine, h, replace, usd } from "./dom.ts";
import { markdown } from "./markdown.ts";

interface StoredMessage {
  role: string;
  content: unknown;
  attachments: Array<{ kind: "image" | "document"; url: string; filename: string }>;
  usage: { prompt_tokens: number; completion_tokens: number };
  cost: number;
  finish_reason: string | null;
}

interface Attached {
  filename: string;
  kind: "image" | "document";
  url?: string;
}

const MODEL_KEY = "textllm.console.model";
/** Only the first chat page of a loaded document resumes: a later one runs beside the stream itself. */
let firstPageOfLoad = true;

/** What a stored user turn shows: its own words, not the documents' text added to it. */
export function visibleText(content: unknown): string {
  const text =
    typeof content === "string"
      ? content
      : Array.isArray(content)
        ? content
            .filter((p: { type?: string }) => p.type === "text")
            .map((p: { text?: string }) => p.text ?? "")
            .join("\n")
        : "";
  return text.replace(/<document\b[^>]*>[\s\S]*?(<\/document>|$)/g, "").trim();
}

/** A stored image, fetched with the key in a header and shown from a blob: address. */
function thumbnail(url: string, filename: string): HTMLElement {
  const img = h("img", { class: "thumb", alt: filename });
  void request(url)
    .then(async (res) => {
      img.setAttribute("src", URL.createObjectURL(await res.blob()));
    })
    .catch(() => img.remove());
  return img;
}

function attachmentChips(items: Attached[]): HTMLElement | null {
  if (!items.length) return null;
  return h(
    "ul",
    { class: "attachments" },
    items.map((a) =>
      h(
        "li",
        { "data-kind": a.kind },
        a.url
          ? [
              a.kind === "image" ? thumbnail(a.url, a.filename) : null,
              h("button", { type: "button", class: "link", onclick: () => void download(a.url!, a.filename) }, a.filename),
            ]
          : a.filename,
      ),
    ),
  );
}

const kindOf = (file: File): Attached["kind"] => (file.type.startsWith("image/") ? "image" : "document");

function bubble(role: string, body: Node | string, attached: Attached[] = []): { el: HTMLElement; body: HTMLElement; meta: HTMLElement } {
  const content = h("div", { class: "content" }, body);
  const meta = h("div", { class: "meta" });
  const el = h("article", { class: `msg ${role}`, "data-role": role }, attachmentChips(attached), content, meta);
  return { el, body: content, meta };
}

const turnMeta = (usage: { prompt_tokens: number; completion_tokens: number }, cost: number) =>
  `${usage.prompt_tokens} in · ${usage.completion_tokens} out · ${usd(cost)}`;

export async function chatPage(root: HTMLElement, initialId: string | null): Promise<void> {
  const auth = currentAuth() as Auth;
  const resuming = firstPageOfLoad ? inFlightStream() : null;
  firstPageOfLoad = false;
  let conversationId = resuming?.conversationId ?? initialId;
  if (resuming && resuming.conversationId !== initialId) history.replaceState(null, "", `#/chat/${resuming.conversationId}`);
  let pending: File[] = [];
  let controller: AbortController | null = null;

  const modelSelect = h("select", { "aria-label": "Model", name: "model" });
  const title = h("h2", { class: "conv-title" }, conversationId ? "Conversation" : "New conversation");
  const messages = h("div", { class: "messages", "aria-live": "polite" });
  const budget = h("span", { class: "budget" });
  const last = h("span", { class: "last-turn" });
  const status = h("div", { class: "status" }, budget, last);
  const chips = h("ul", { class: "pending" });
  const input = h("textarea", { name: "message", rows: 2, placeholder: "Message… (Enter sends, Shift+Enter new line, Esc stops)", "aria-label": "Message" });
  const picker = h("input", { type: "file", multiple: true, hidden: true, "aria-label": "Attach files" });
  const send = h("button", { type: "submit", class: "primary" }, "Send");
  const stopReply = () => {
    if (!controller) return;
    cancelStream(auth.userId); // the generation outlives the connection: stop it on the server too
    controller.abort();
  };
  const stop = h("button", { type: "button", class: "danger", hidden: true, onclick: stopReply }, "Stop");
  const form = h(
    "form",
    { class: "composer" },
    chips,
    input,
    h("div", { class: "composer-actions" }, h("button", { type: "button", onclick: () => picker.click() }, "Attach"), picker, stop, send),
  );

  const section = h("section", { class: "chat" });
  replace(root, section);
  append(section, [h("div", { class: "chat-head" }, title, modelSelect, h("a", { class: "button", href: "#/chat" }, "New chat")), messages, status, form]);

  const showPending = () =>
    replace(
      chips,
      pending.map((file, i) =>
        h(
          "li",
          {},
          `${file.name} (${bytes(file.size)}) `,
          h(
            "button",
            {
              type: "button",
              class: "link",
              "aria-label": `Remove ${file.name}`,
              onclick: () => {
                pending.splice(i, 1);
                showPending();
              },
            },
            "✕",
          ),
        ),
      ),
    );
  const addFiles = (files: FileList | null) => {
    pending = [...pending, ...Array.from(files ?? [])];
    showPending();
  };
  picker.addEventListener("change", () => {
    addFiles(picker.files);
    picker.value = "";
  });
  for (const target of [messages, form]) {
    target.addEventListener("dragover", (e) => {
      e.preventDefault();
      root.classList.add("dragging");
    });
    target.addEventListener("dragleave", () => root.classList.remove("dragging"));
    target.addEventListener("drop", (e) => {
      e.preventDefault();
      root.classList.remove("dragging");
      addFiles((e as DragEvent).dataTransfer?.files ?? null);
    });
  }
  const showBudget = (remaining: number | null) => {
    budget.textContent = remaining === null ? "No daily budget" : `Budget left today: $${remaining.toFixed(6)}`;
  };
  const scrollDown = () => messages.scrollTo({ top: messages.scrollHeight });

  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  root.ownerDocument.addEventListener("keydown", function onEsc(e) {
    if (!root.isConnected || !root.contains(form)) return root.ownerDocument.removeEventListener("keydown", onEsc);
    if (e.key === "Escape") stopReply();
  });

  /** Shows a turn and its answer as it streams; resolves true when the turn ended and is stored. */
  async function followTurn(
    text: string,
    options: { files: File[]; reply: string; resumed: boolean },
    run: (signal: AbortSignal, on: TurnEvents) => Promise<string | null>,
  ): Promise<boolean> {
    const { files } = options;
    const user = bubble(
      "user",
      text,
      files.map((f) => ({ filename: f.name, kind: kindOf(f) })),
    );
    const answer = bubble("assistant", options.reply ? markdown(options.reply) : h("span", { class: "typing" }, "…"));
    messages.append(user.el, answer.el);
    scrollDown();
    controller = new AbortController();
    send.hidden = true;
    stop.hidden = false;
    let reply = options.reply;
    let _frame = 0;
    const render = () => {
      _frame = 0;
      replace(answer.body, markdown(reply));
      scrollDown();
    };
    try {
      const failure = await run(controller.signal, {
        conversation(id) {
          if (id === conversationId) return;
          conversationId = id;
          history.replaceState(null, "", `#/chat/${id}`);
          void getJson<{ title: string | null }>(`/conversations/${enc(id)}`).then(
            (c) => {
              title.textContent = c.title || "Untitled conversation";
            },
            () => {},
          );
        },
        text(delta) {
          reply += delta;
          _frame ||= requestAnimationFrame(render);
        },
        end(end) {
          answer.meta.textContent = turnMeta(end.usage, end.cost);
          last.textContent = `Last turn: ${turnMeta(end.usage, end.cost)}`;
          if (end.budget) showBudget(end.budget.remaining);
          const urls: Record<Attached["kind"], string[]> = { document: [...(end.file_urls ?? [])], image: [...(end.image_urls ?? [])] };
          const links = files.map((f) => ({ filename: f.name, kind: kindOf(f), url: urls[kindOf(f)].shift() }));
          user.el.querySelector(".attachments")?.replaceWith(attachmentChips(links) ?? "");
        },
      });
      render();
      if (failure) answer.el.append(errorLine(failure));
      return !failure;
    } catch (err) {
      if (controller.signal.aborted) {
        render();
        answer.meta.textContent = "Stopped";
      } else if (options.resumed && err instanceof ApiError && err.status === 404) {
        user.el.remove(); // the answer ended and left the replay window: the stored conversation has it
        answer.el.remove();
        return true;
      } else {
        answer.body.replaceChildren(errorLine((err as Error).message));
      }
      return false;
    } finally {
      controller = null;
      send.hidden = false;
      stop.hidden = true;
      input.focus();
    }
  }

  function sendTurn(text: string): void {
    const files = pending;
    pending = [];
    showPending();
    void followTurn(text, { files, reply: "", resumed: false }, (signal, on) =>
      streamTurn({ message: text, userId: auth.userId, model: modelSelect.value, conversationId, files, signal }, on),
    );
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text || controller) return;
    input.value = "";
    sendTurn(text);
  });

  const [models, config, today] = await Promise.all([
    getJson<{ data: Array<{ id: string }> }>("/v1/models").catch(() => ({ data: [] })),
    getJson<{ config: { model: string; cost_limit_per_session: number } }>("/config"),
    getJson<{ data: Array<{ cost: number }> }>(`/users/${enc(auth.userId)}/stats/daily?days=1`),
  ]);
  const preferred = sessionStorage.getItem(MODEL_KEY) ?? config.config.model;
  replace(
    modelSelect,
    models.data.map((m) => h("option", { value: m.id, selected: m.id === preferred }, m.id)),
  );
  modelSelect.addEventListener("change", () => sessionStorage.setItem(MODEL_KEY, modelSelect.value));
  const limit = config.config.cost_limit_per_session;
  showBudget(limit > 0 ? Math.max(0, limit - today.data.reduce((n, d) => n + d.cost, 0)) : null);

  async function showHistory(id: string): Promise<void> {
    try {
      const conv = await getJson<{ title: string | null; model: string | null }>(`/conversations/${enc(id)}`);
      title.textContent = conv.title || "Untitled conversation";
      if (conv.model && models.data.some((m) => m.id === conv.model)) modelSelect.value = conv.model;
      const page = await getJson<{ data: StoredMessage[] }>(`/conversations/${enc(id)}/messages?order=asc&limit=1000`);
      messages.replaceChildren();
      for (const m of page.data) {
        if (m.role === "system") continue;
        const text = m.role === "user" ? visibleText(m.content) : typeof m.content === "string" ? m.content : visibleText(m.content);
        const shown = bubble(m.role, m.role === "assistant" ? markdown(text) : text, m.attachments);
        if (m.role === "assistant") shown.meta.textContent = turnMeta(m.usage, m.cost) + (m.finish_reason === "cancelled" ? " · stopped" : "");
        messages.append(shown.el);
      }
      scrollDown();
    } catch (err) {
      messages.append(errorLine((err as Error).message));
    }
  }
  if (conversationId) await showHistory(conversationId);
  section.dataset.ready = "true"; // models, budget and history are shown
  input.focus();
  if (resuming) {
    // The reply goes on where it was; once it has ended, the stored conversation (with it once) is shown.
    const ended = await followTurn(resuming.message, { files: [], reply: resuming.reply, resumed: true }, (signal, on) =>
      resumeTurn(resuming, { userId: auth.userId, signal }, on),
    );
    forgetStream();
    if (ended) await showHistory(resuming.conversationId);
  }
}
