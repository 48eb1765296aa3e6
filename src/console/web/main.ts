// The console's entry: sign in (an API key, or a user id on an open server), then a page per hash
// route — #/chat[/<id>], #/conversations, #/spend, #/files. The key stays in session storage.
import { currentAuth, signIn, signOut } from "./api.ts";
import { chatPage } from "./chat-page.ts";
import { conversationsPage } from "./conversations-page.ts";
import { errorLine, h, replace } from "./dom.ts";
import { filesPage } from "./files-page.ts";
import { spendPage } from "./spend-page.ts";

const app = document.getElementById("app")!;

const PAGES: Array<[string, string]> = [
  ["chat", "Chat"],
  ["conversations", "Conversations"],
  ["spend", "Spend"],
  ["files", "Files"],
];

function signInPage(): void {
  const key = h("input", { type: "password", name: "key", autocomplete: "off", placeholder: "API key (empty on an open server)", "aria-label": "API key" });
  const user = h("input", { name: "user", placeholder: "User id (open server, or admin acting for)", "aria-label": "User id" });
  const problem = h("div");
  const form = h(
    "form",
    { class: "signin" },
    h("h1", {}, "TextLLM console"),
    h("p", { class: "muted" }, "Sign in with your API key. It is kept in this tab only."),
    key,
    user,
    h("button", { type: "submit", class: "primary" }, "Sign in"),
    problem,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await signIn(key.value.trim(), user.value);
      location.hash = "#/chat";
    } catch (err) {
      replace(problem, errorLine((err as Error).message));
    }
  });
  replace(app, form);
  key.focus();
}

function shell(active: string): HTMLElement {
  const auth = currentAuth()!;
  const main = h("main", { id: "page" });
  const nav = h(
    "nav",
    {},
    PAGES.map(([id, label]) => h("a", { href: `#/${id}`, class: id === active ? "active" : null, "aria-current": id === active ? "page" : null }, label)),
  );
  const who = h("span", { class: "who", title: auth.kind }, auth.kind === "admin" ? `admin · ${auth.userId}` : auth.userId);
  const out = h(
    "button",
    {
      type: "button",
      class: "link",
      onclick: () => {
        signOut();
        location.hash = "#/signin";
      },
    },
    "Sign out",
  );
  replace(app, h("header", {}, h("strong", { class: "brand" }, "TextLLM"), nav, h("div", { class: "account" }, who, out)), main);
  return main;
}

async function route(): Promise<void> {
  const [page = "chat", id = null] = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  if (!currentAuth() || page === "signin") return signInPage();
  const main = shell(page);
  if (page === "conversations") return conversationsPage(main);
  if (page === "spend") return spendPage(main);
  if (page === "files") return filesPage(main);
  return chatPage(main, id ? decodeURIComponent(id) : null);
}

// The chat names a new conversation in the address with history.replaceState, which fires no
// hashchange: the page stays as it is.
window.addEventListener("hashchange", () => void route());
void route();
