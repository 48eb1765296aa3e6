import { fileUrl } from "../../files/service.ts";
import type { FileRecord } from "../../storage/db/repos/files.ts";

export function presentFile(file: FileRecord) {
  return {
    key: file.key,
    object: "file" as const,
    url: fileUrl(file.key),
    user_id: file.user_id,
    folder: file.folder,
    filename: file.filename,
    content_type: file.content_type,
    size: file.size,
    backend: file.backend,
    conversation_id: file.conversation_id,
    created_at: file.created_at,
  };
}
