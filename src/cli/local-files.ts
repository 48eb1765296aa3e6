// Paths as a person types them at the chat prompt: `~` is their home directory, and an image is
// checked by its bytes when it is queued, not only once the server refuses the whole turn.
import { homedir } from "node:os";
import { join } from "node:path";
import { fileTypeFromBuffer } from "file-type";
import { IMAGE_MIMES } from "../documents/file-kind.ts";

/** `~` and `~/…` become the home directory; other paths are left as typed. */
export function expandHome(path: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return join(homedir(), path.slice(2));
  return path;
}

/** Why the file at `path` cannot be sent as an image, or null when it is a PNG, JPEG, GIF or WebP. */
export async function notAnImage(path: string, shownAs: string): Promise<string | null> {
  const head = new Uint8Array(await Bun.file(path).slice(0, 4100).arrayBuffer());
  const found = await fileTypeFromBuffer(head);
  if (found && IMAGE_MIMES.has(found.mime)) return null;
  return `${shownAs} is not an image${found ? ` (it is ${found.mime})` : ""}: /image takes PNG, JPEG, GIF or WebP — use /attach for documents`;
}
