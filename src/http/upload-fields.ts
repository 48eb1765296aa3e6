// The names a file part may come under. Clients pick whichever their docs or habits suggest
// (`file` as /files/upload names it, `images[]` as PHP-style forms send it), so every route that
// takes files takes all of them and moves them to the field its schema names. No upload is
// ignored: a file under any other name is refused when the form is parsed (multipart.ts).
import { badRequest } from "../errors.ts";

/** Upload names as parsed: `files[]` and `images[]` arrive without their brackets. */
export const UPLOAD_FIELDS = ["file", "files", "image", "images"] as const;
type UploadField = (typeof UPLOAD_FIELDS)[number];

const IMAGE_FIELDS = new Set<string>(["image", "images"]);

/** The upload name a form field stands for (`images[]` → `images`), or null for any other field. */
export function uploadField(key: string): UploadField | null {
  const bare = key.endsWith("[]") ? key.slice(0, -2) : key;
  return (UPLOAD_FIELDS as readonly string[]).includes(bare) ? (bare as UploadField) : null;
}

export interface UploadTarget {
  /** The field that receives documents (file, files). */
  documents: string;
  /** The field that receives images (image, images); images-only fields refuse other kinds. */
  images: string;
  /** The route takes exactly one file: the field holds a File, not a list. */
  single?: boolean;
}

/** Moves every uploaded file of a parsed form to the fields the route's schema names. */
export function gatherUploads(body: Record<string, unknown>, target: UploadTarget): void {
  const gathered = new Map<string, unknown[]>();
  for (const field of UPLOAD_FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    delete body[field];
    const to = IMAGE_FIELDS.has(field) ? target.images : target.documents;
    gathered.set(to, [...(gathered.get(to) ?? []), ...(Array.isArray(value) ? value : [value])]);
  }
  for (const [to, list] of gathered) {
    if (!target.single) {
      body[to] = list;
    } else if (list.length > 1) {
      throw badRequest(`This route takes one file in '${to}' (got ${list.length}).`, to, "too_many_files");
    } else {
      body[to] = list[0];
    }
  }
}

/** A route's transform hook: moves a form's uploads, under any accepted name, to the route's fields. */
export const uploadsTo =
  (target: UploadTarget) =>
  ({ body, request }: { body: unknown; request: Request }) => {
    const form = /^(multipart\/form-data|application\/x-www-form-urlencoded)\b/i.test(request.headers.get("content-type") ?? "");
    if (form && body && typeof body === "object") gatherUploads(body as Record<string, unknown>, target);
  };
