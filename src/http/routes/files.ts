// The Files API: upload, list, download, delete. Keys contain slashes (LLM/uploads/u/…), so the
// key routes take the rest of the path; a key must have the exact shape this server makes.
import { Elysia, t } from "elysia";
import type { RouteDeps } from "../route-deps.ts";
import { actingUser, ownerScope, type Principal } from "../../auth/principal.ts";
import { badRequest } from "../../errors.ts";
import { readAttachments } from "../../chat/attachments.ts";
import type { Folder } from "../../storage/blobs/keys.ts";
import { operationDoc, withFieldExamples } from "../operation-doc.ts";
import { presentFile } from "../presenters/file.ts";
import { BODY_ERRORS, WRITE_ERRORS } from "../schemas/errors.ts";
import { DeletedFileSchema, FILE_EXAMPLE, FileListSchema, KEY_PARAM, ListFilesQuery, OwnerQuery, UploadAnswerSchema, UploadSchema } from "../schemas/files.ts";
import { uploadsTo } from "../upload-fields.ts";

const UPLOAD_EXAMPLE = { user_id: "alice", folder: "uploads" };

/**
 * The key in the path: sent as is (slashes and all) or percent-encoded, as Swagger UI sends a path
 * parameter. Whatever it decodes to must still have the exact shape of a key (files/service.ts).
 */
function keyOf(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // not valid percent-encoding: refused as an invalid key
  }
}

const contentDisposition = (name: string) => `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(name)}`;

/** The user a files request is about; required unless the API key names it. */
function userOf(principal: Principal, requested: string | undefined): string {
  const userId = actingUser(principal, requested);
  if (!userId) throw badRequest("'user_id' is required.", "user_id", "missing_required_parameter");
  return userId;
}

/** Whose file a key may be: the key's user; in open mode optionally the user_id the caller names. */
const ownerFor = (principal: Principal, requested: string | undefined) => ownerScope(principal) ?? actingUser(principal, requested);

export function fileRoutes({ loaded, files, auth }: RouteDeps) {
  return new Elysia({ name: "routes:files", detail: { tags: ["Files"] } })
    .use(auth)
    .post(
      "/files/upload",
      async ({ body, principal }) => {
        // The same checks as a chat attachment: type by content, size, readable documents.
        const [checked] = await readAttachments(loaded, [{ field: "file", file: body.file }]);
        const record = await files.save({
          userId: userOf(principal, body.user_id),
          folder: (body.folder ?? "uploads") as Folder,
          filename: checked!.info.name,
          contentType: checked!.info.mime,
          bytes: checked!.bytes,
        });
        return { success: true, ...presentFile(record) };
      },
      {
        body: UploadSchema,
        transform: uploadsTo({ documents: "file", images: "file", single: true }),
        detail: operationDoc({
          summary: "Upload a file (multipart: file, user_id, folder)",
          description: "Checked like a chat attachment: its type by content (images, PDF, DOCX, text), its size (max_file_size_mb).",
          body: { multipart: { schema: withFieldExamples(UploadSchema, UPLOAD_EXAMPLE), example: UPLOAD_EXAMPLE } },
          ok: { schema: UploadAnswerSchema, example: { success: true, ...FILE_EXAMPLE }, description: "The stored file" },
          errors: [...BODY_ERRORS, ...WRITE_ERRORS],
        }),
      },
    )
    .get(
      "/files",
      async ({ query, principal }) => {
        const data = await files.list(userOf(principal, query.user_id), { folder: query.folder as Folder | undefined, limit: query.limit });
        return { object: "list" as const, data: data.map(presentFile) };
      },
      {
        query: ListFilesQuery,
        detail: operationDoc({
          summary: "A user's files, newest first (chat attachments included)",
          ok: { schema: FileListSchema, example: { object: "list", data: [FILE_EXAMPLE] }, description: "The files" },
          errors: [400, 404],
        }),
      },
    )
    .get(
      "/files/*",
      async ({ params, query, set, principal }) => {
        const record = await files.get(keyOf(params["*"]), ownerFor(principal, query.user_id));
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
      {
        query: OwnerQuery,
        detail: operationDoc({
          summary: "Download a file: streamed from disk, or a redirect to a presigned S3 URL",
          pathParams: [KEY_PARAM],
          ok: {
            contentType: "application/octet-stream",
            schema: t.String({ format: "binary", description: "the file's bytes; Content-Type is the file's own" }),
            example: "Meeting notes: ...",
            description: "The file (Content-Disposition: attachment)",
          },
          also: { "302": { description: "With S3 storage: a redirect to a presigned URL", headers: { location: "the presigned URL" } } },
          errors: [400, 404],
        }),
      },
    )
    .delete(
      "/files/*",
      async ({ params, query, principal }) => {
        const record = await files.get(keyOf(params["*"]), ownerFor(principal, query.user_id));
        await files.delete(record);
        return { success: true, key: record.key, deleted: true };
      },
      {
        query: OwnerQuery,
        detail: operationDoc({
          summary: "Delete a file",
          pathParams: [KEY_PARAM],
          ok: { schema: DeletedFileSchema, example: { success: true, key: KEY_PARAM.example, deleted: true }, description: "Deleted" },
          errors: [400, 404],
        }),
      },
    );
}
