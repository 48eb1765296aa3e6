import { fileUrl } from "../../files/service.ts";
import type { FileRecord } from "../../storage/db/repos/files.ts";

export function presentFile(f: FileRecord) {
  return {
    key: f.key,
    object: "file" as const,
    url: fileUrl(f.key),
    user_id: f.user_id,
    folder: f.folder,
    filename: f.filename,
    content_type: f.content_type,
    size: f.size,
    backend: f.backend,
    conversation_id: f.conversation_id,
    created_at: f.created_at,
  };
}
