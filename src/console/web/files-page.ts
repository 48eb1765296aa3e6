// Files: everything the user has stored (uploads and chat attachments) with size and type;
// download (with the key in a header) and delete (after a confirmation).
import { currentAuth, download, enc, getJson, request, type Auth } from "./api.ts";
import { bytes, errorLine, h, replace, when } from "./dom.ts";

interface StoredFile {
  key: string;
  url: string;
  filename: string;
  content_type: string;
  size: number;
  folder: string;
  created_at: string;
}

export async function filesPage(root: HTMLElement): Promise<void> {
  const auth = currentAuth() as Auth;
  const body = h("tbody");
  const problem = h("div");
  replace(
    root,
    h(
      "section",
      {},
      h("div", { class: "page-head" }, h("h2", {}, "Files")),
      problem,
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          {},
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["Name", "Type", "Size", "Folder", "Stored", ""].map((c) => h("th", {}, c)),
            ),
          ),
          body,
        ),
      ),
    ),
  );
  try {
    const { data } = await getJson<{ data: StoredFile[] }>(`/files?user_id=${enc(auth.userId)}&limit=500`);
    if (!data.length) body.append(h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No files yet.")));
    for (const file of data) {
      const tr = h("tr", { "data-key": file.key });
      const remove = async () => {
        if (!confirm(`Delete ${file.filename}?`)) return;
        try {
          await request(`${file.url}?user_id=${enc(auth.userId)}`, { method: "DELETE" });
          tr.remove();
        } catch (err) {
          replace(problem, errorLine((err as Error).message));
        }
      };
      replace(
        tr,
        h("td", { class: "name" }, file.filename),
        h("td", {}, file.content_type),
        h("td", { class: "num" }, bytes(file.size)),
        h("td", {}, file.folder),
        h("td", {}, when(file.created_at)),
        h(
          "td",
          { class: "actions" },
          h(
            "button",
            { type: "button", onclick: () => void download(file.url, file.filename).catch((err) => replace(problem, errorLine(err.message))) },
            "Download",
          ),
          h("button", { type: "button", class: "danger", onclick: remove }, "Delete"),
        ),
      );
      body.append(tr);
    }
  } catch (err) {
    replace(problem, errorLine((err as Error).message));
  }
}
