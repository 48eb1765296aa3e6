// Forms: multipart/form-data (files) and urlencoded bodies, read through the same size cap as
// JSON. Fields land in a prototype-less object, so no field name can reach Object.prototype; file
// parts come only under the upload names (see upload-fields.ts), which are always lists.
import { badRequest } from "../errors.ts";
import { assertJsonDepth } from "./json-depth.ts";
import { uploadField } from "./upload-fields.ts";

/** Names that mean something to every JavaScript object: refused rather than stored. */
const RESERVED_NAMES = new Set(["__proto__", "constructor", "prototype"]);

export function formToObject(form: { keys(): IterableIterator<string>; getAll(key: string): unknown[] }): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const key of new Set(form.keys())) {
    if (RESERVED_NAMES.has(key)) throw badRequest(`The form field name '${key}' is not allowed.`, key, "invalid_field_name");
    const values = form.getAll(key);
    const upload = uploadField(key);
    if (upload) {
      out[upload] = [...((out[upload] as unknown[] | undefined) ?? []), ...values];
      continue;
    }
    if (values.some((v) => v instanceof Blob)) {
      throw badRequest(
        `The form field '${key}' carries a file; send files as 'file', 'files', 'image' or 'images' (a trailing [] is fine).`,
        key,
        "unexpected_file_field",
      );
    }
    out[key] = values.length > 1 ? values : values[0];
  }
  return out;
}

export async function parseForm(bytes: Uint8Array, contentType: string): Promise<Record<string, unknown>> {
  if (/^application\/x-www-form-urlencoded/i.test(contentType)) {
    return formToObject(new URLSearchParams(new TextDecoder().decode(bytes)));
  }
  let form: Awaited<ReturnType<Response["formData"]>>;
  try {
    form = await new Response(bytes, { headers: { "content-type": contentType } }).formData();
  } catch {
    throw badRequest("The multipart/form-data body could not be parsed: check its boundary and parts.", null, "invalid_multipart");
  }
  return formToObject(form);
}

const NUMBER_FIELDS = ["temperature", "top_p", "max_tokens", "max_completion_tokens", "presence_penalty", "frequency_penalty", "seed", "n"];

/**
 * Form fields are strings; the chat schema speaks JSON. `messages` holds a JSON array, `stream`
 * says true or false, numbers are numbers. What does not convert is left for validation to refuse.
 */
export function coerceChatForm(body: Record<string, unknown>): void {
  if (typeof body.messages === "string") {
    assertJsonDepth(body.messages, "messages");
    try {
      body.messages = JSON.parse(body.messages);
    } catch {
      throw badRequest("The form field 'messages' must hold a JSON array of messages.", "messages", "invalid_json");
    }
  }
  if (body.stream === "true" || body.stream === "false") body.stream = body.stream === "true";
  for (const key of NUMBER_FIELDS) {
    const v = body[key];
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) body[key] = Number(v);
  }
  for (const key of ["files", "images"]) {
    const v = body[key];
    if (Array.isArray(v) && v.some((x) => typeof x === "string")) {
      throw badRequest(`The form field '${key}' must carry files, not text.`, key, "invalid_type");
    }
  }
}

export const isForm = (contentType: string | null) => /^(multipart\/form-data|application\/x-www-form-urlencoded)\b/i.test(contentType ?? "");
