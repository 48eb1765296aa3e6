// The Files API: the upload form, the list query, the file record, and the key path parameter.
import { t } from "elysia";
import { FOLDERS } from "../../storage/blobs/keys.ts";
import { ListOf, Nullable, Timestamp } from "./common.ts";

const UserId = t.String({ minLength: 1, maxLength: 255 });
const FolderSchema = t.Union(FOLDERS.map((f) => t.Literal(f)));

export const UploadSchema = t.Object({
  file: t.File({ description: "also accepted as files, files[], image, images, images[]" }),
  user_id: t.Optional(UserId),
  folder: t.Optional(FolderSchema),
});
export const ListFilesQuery = t.Object({
  user_id: t.Optional(UserId),
  folder: t.Optional(FolderSchema),
  limit: t.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});
export const OwnerQuery = t.Object({ user_id: t.Optional(UserId) });

export const FileSchema = t.Object(
  {
    key: t.String({ description: "LLM/{folder}/{user_id}/{YYYYMMDD_HHMMSS}_{filename}" }),
    object: t.Literal("file"),
    url: t.String({ description: "where to GET the file: /files/{key}" }),
    user_id: t.String(),
    folder: t.String({ description: FOLDERS.join(", ") }),
    filename: t.String(),
    content_type: t.String(),
    size: t.Integer({ description: "bytes" }),
    backend: t.Union([t.Literal("local"), t.Literal("s3")]),
    conversation_id: Nullable(t.String(), "the conversation a chat attachment belongs to"),
    created_at: Timestamp(),
  },
  { additionalProperties: false },
);

export const UploadAnswerSchema = t.Object({ success: t.Literal(true), ...FileSchema.properties }, { additionalProperties: false });
export const FileListSchema = ListOf(FileSchema);
export const DeletedFileSchema = t.Object({ success: t.Literal(true), key: t.String(), deleted: t.Literal(true) }, { additionalProperties: false });

export const KEY_PARAM = {
  name: "key",
  description:
    "The file's key, slashes included (as in the `key` or `url` of an upload). Sent as is (/files/LLM/uploads/...) or with its slashes percent-encoded.",
  example: "LLM/uploads/alice/20261130_091500_notes.txt",
};

export const FILE_EXAMPLE = {
  key: KEY_PARAM.example,
  object: "file",
  url: `/files/${KEY_PARAM.example}`,
  user_id: "alice",
  folder: "uploads",
  filename: "notes.txt",
  content_type: "text/plain; charset=utf-8",
  size: 1024,
  backend: "local",
  conversation_id: null,
  created_at: "2026-11-30T09:15:00.000Z",
};
