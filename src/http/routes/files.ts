// The Files API: upload, list, download, delete. Keys contain slashes (LLM/uploads/u/…), so the
// key routes take the rest of the path; a key must have the exact shape this server makes.
import { Elysia, t } from "elysia";
import { actingUser, ownerScope, type Principal } from "../../auth/principal.ts";
import { badRequest } from "../../errors.ts";
import type { LoadedConfig } from "../../config/load.ts";
import { readAttachments } from "../../chat/attachments.ts";
import type { FileService } from "../../files/service.ts";
import { FOLDERS, type Folder } from "../../storage/blobs/keys.ts";
import type { AuthPlugin } from "../auth.ts";
import { presentFile } from "../presenters/file.ts";
import { uploadsTo } from "../upload-fields.ts";

const UserId = t.String({ minLength: 1, maxLength: 255 });
const FolderSchema = t.Union(FOLDERS.map((f) => t.Literal(f)));
const Owner = t.Object({ user_id: t.Optional(UserId) });

const contentDisposition = (name: string) =>
  `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(name)}`;

/** The user a files request is about; required unless the API key names it. */
function userOf(principal: Principal, requested: string | undefined): string {
  const userId = actingUser(principal, requested);
  if (!userId) throw badRequest("'user_id' is required.", "user_id", "missing_required_parameter");
  return userId;
}

/** Whose file a key may be: the key's user; in open mode optionally the user_id the caller names. */
const ownerFor = (principal: Principal, requested: string | undefined) => ownerScope(principal) ?? actingUser(principal, requested);

export function fileRoutes(loaded: LoadedConfig, files: FileService, auth: AuthPlugin) {
  return new Elysia({ name: "routes:files", detail: { tags: ["Files"] } })
    .use(auth)
    .post(
      "/files/upload",
      async ({ body, principal }) => {
        // The same checks as a chat attachment: type by content, size, readable documents.
        const [checked] = await readAttachments(loaded, [{ field: "file", file: body.file }]);
        const record = await files.save({
          userId: userOf(principal, body.user_id), folder: (body.folder ?? "uploads") as Folder, filename: checked!.info.name,
          contentType: checked!.info.mime, bytes: checked!.bytes,
        });
        return { success: true, ...presentFile(record) };
      },
      {
        body: t.Object({ file: t.File({ description: "also accepted as files, files[], image, images, images[]" }), user_id: t.Optional(UserId), folder: t.Optional(FolderSchema) }),
        transform: uploadsTo({ documents: "file", images: "file", single: true }),
        detail: { summary: "Upload a file (multipart: file, user_id, folder)" },
      },
    )
    .get(
      "/files",
      async ({ query, principal }) => {
        const data = await files.list(userOf(principal, query.user_id), { folder: query.folder as Folder | undefined, limit: query.limit });
        return { object: "list" as const, data: data.map(presentFile) };
      },
      {
        query: t.Object({ user_id: t.Optional(UserId), folder: t.Optional(FolderSchema), limit: t.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
        detail: { summary: "A user's files, newest first (chat attachments included)" },
      },
    )
    .get(
      "/files/*",
      async ({ params, query, set, principal }) => {
        const record = await files.get(params["*"], ownerFor(principal, query.user_id));
        const d = await files.download(record);
        if (d.redirect) {
          set.status = 302;
          set.headers.location = d.redirect;
          return "";
        }
        set.headers["content-type"] = record.content_type;
        set.headers["content-disposition"] = contentDisposition(record.filename);
        set.headers["x-content-type-options"] = "nosniff";
        return d.body;
      },
      { query: Owner, detail: { summary: "Download a file: streamed from disk, or a redirect to a presigned S3 URL" } },
    )
    .delete(
      "/files/*",
      async ({ params, query, principal }) => {
        const record = await files.get(params["*"], ownerFor(principal, query.user_id));
        await files.delete(record);
        return { success: true, key: record.key, deleted: true };
      },
      { query: Owner, detail: { summary: "Delete a file" } },
    );
}
