// Responses API request → one chat turn: input items become chat messages (function calls and
// their outputs included), tools and text.format become their chat-completions forms. Each input
// item is also kept, with an id, as the response's input_items.
import { badRequest } from "../../errors.ts";
import { newId } from "../../lib/ids.ts";
import type { IncomingFile } from "../attachments.ts";
import type { ChatMessage } from "../messages.ts";
import type { InputItem } from "../../storage/db/repos/responses.ts";

type Item = Record<string, any>;

export interface TranslatedInput {
  /** The turn as chat messages (instructions first, as a system message). */
  messages: ChatMessage[];
  /** Chat-completions parameters for the upstream. */
  params: Record<string, unknown>;
  /** Files sent as input_file data: checked, extracted and stored like /chat's files. */
  files: IncomingFile[];
  /** The input items as the Responses API lists them (each with an id). */
  items: InputItem[];
}

const dataUrl = /^data:([^;,]*)(;base64)?,(.*)$/s;

function fileFromData(part: Item, param: string): IncomingFile {
  const match = typeof part.file_data === "string" ? dataUrl.exec(part.file_data) : null;
  if (!match)
    throw badRequest("An input_file needs `file_data` as a base64 data URL (file_id and file_url are not supported here).", param, "unsupported_file");
  const bytes = match[2] ? Buffer.from(match[3]!, "base64") : Buffer.from(decodeURIComponent(match[3]!));
  return { field: "files", file: new File([bytes], String(part.filename ?? "upload"), { type: match[1] || "application/octet-stream" }) };
}

/** One content part → its chat-completions form (null: the part was a file, taken separately). */
function contentPart(part: Item, param: string, files: IncomingFile[]): Record<string, unknown> | null {
  switch (part?.type) {
    case "input_text":
    case "output_text":
      return { type: "text", text: String(part.text ?? "") };
    case "refusal":
      return { type: "text", text: String(part.refusal ?? "") };
    case "input_image":
      if (typeof part.image_url !== "string")
        throw badRequest("An input_image needs `image_url` (an https or data URL); file_id is not supported here.", `${param}.image_url`, "unsupported_image");
      return { type: "image_url", image_url: { url: part.image_url, ...(part.detail ? { detail: part.detail } : {}) } };
    case "input_file":
      files.push(fileFromData(part, param));
      return null;
    default:
      throw badRequest(`Unsupported content part type '${String(part?.type)}'.`, `${param}.type`, "invalid_value");
  }
}

function messageOf(item: Item, param: string, files: IncomingFile[]): ChatMessage {
  const role = item.role === "developer" ? "developer" : item.role;
  if (!["user", "assistant", "system", "developer"].includes(role))
    throw badRequest(`Unsupported message role '${String(item.role)}'.`, `${param}.role`, "invalid_value");
  if (typeof item.content === "string") return { role, content: item.content };
  if (!Array.isArray(item.content)) throw badRequest("A message's content is a string or a list of content parts.", `${param}.content`, "invalid_type");
  const parts = item.content.map((p: Item, i: number) => contentPart(p, `${param}.content[${i}]`, files)).filter((p: Item | null): p is Item => p !== null);
  const textOnly = parts.every((p: Item) => p.type === "text");
  return { role, content: textOnly && role !== "user" ? parts.map((p: Item) => p.text).join("") : parts };
}

/** The input items as stored and listed: each gets an id and a status, as OpenAI lists them. */
function listed(item: Item): InputItem {
  if (item.type === "function_call" || item.type === "function_call_output")
    return { id: item.id ?? newId("fc"), status: "completed", ...item, type: item.type };
  const content = typeof item.content === "string" ? [{ type: item.role === "assistant" ? "output_text" : "input_text", text: item.content }] : item.content;
  return { id: item.id ?? newId("msg"), type: "message", status: "completed", role: item.role, content };
}

function requireString(item: Item, fields: string[], param: string): void {
  for (const field of fields) {
    if (typeof item[field] !== "string")
      throw badRequest(
        `Invalid '${param}.${field}': expected a string.`,
        `${param}.${field}`,
        item[field] === undefined ? "missing_required_parameter" : "invalid_type",
      );
  }
}

export function translateInput(
  input: unknown,
  instructions: string | null | undefined,
): { messages: ChatMessage[]; files: IncomingFile[]; items: InputItem[] } {
  const raw: Item[] = typeof input === "string" ? [{ type: "message", role: "user", content: input }] : (input as Item[]);
  const messages: ChatMessage[] = instructions ? [{ role: "system", content: instructions }] : [];
  const files: IncomingFile[] = [];
  const items: InputItem[] = [];
  raw.forEach((item, i) => {
    const param = `input[${i}]`;
    const type = item.type ?? "message";
    if (type === "reasoning") return; // our upstreams' reasoning is not replayed
    if (type === "message") {
      messages.push(messageOf(item, param, files));
    } else if (type === "function_call") {
      requireString(item, ["call_id", "name", "arguments"], param);
      const call = { id: String(item.call_id), type: "function", function: { name: String(item.name), arguments: String(item.arguments ?? "") } };
      const last = messages.at(-1);
      if (last?.role === "assistant" && Array.isArray(last.tool_calls)) last.tool_calls.push(call);
      else messages.push({ role: "assistant", content: null, tool_calls: [call] });
    } else if (type === "function_call_output") {
      requireString(item, ["call_id"], param);
      if (item.output === undefined || item.output === null)
        throw badRequest("A function_call_output needs its `output`.", `${param}.output`, "missing_required_parameter");
      const output = typeof item.output === "string" ? item.output : JSON.stringify(item.output);
      messages.push({ role: "tool", tool_call_id: String(item.call_id), content: output });
    } else {
      throw badRequest(
        `Input items of type '${String(type)}' are not supported here (message, function_call and function_call_output are).`,
        `${param}.type`,
        "invalid_value",
      );
    }
    items.push(listed({ ...item, type }));
  });
  return { messages, files, items };
}

/** The Responses API's tools, tool_choice and text.format in their chat-completions form. */
export function translateParams(body: Item): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const copy = (from: string, to = from) => {
    if (body[from] !== undefined && body[from] !== null) params[to] = body[from];
  };
  copy("temperature");
  copy("top_p");
  copy("max_output_tokens", "max_completion_tokens");
  copy("user");
  copy("safety_identifier");
  copy("top_logprobs");
  if (body.reasoning?.effort) params.reasoning_effort = body.reasoning.effort;
  const tools: Item[] = body.tools ?? [];
  if (tools.length) {
    params.tools = tools.map((tool, i) => {
      if (tool.type !== "function")
        throw badRequest(`Tools of type '${String(tool.type)}' are not supported here; function tools are.`, `tools[${i}].type`, "unsupported_tool");
      requireString(tool, ["name"], `tools[${i}]`);
      const fn: Item = { name: tool.name };
      if (tool.description != null) fn.description = tool.description;
      if (tool.parameters != null) fn.parameters = tool.parameters;
      if (tool.strict != null) fn.strict = tool.strict;
      return { type: "function", function: fn };
    });
    copy("parallel_tool_calls");
  }
  const choice = body.tool_choice;
  if (typeof choice === "string") params.tool_choice = choice;
  else if (choice?.type === "function") params.tool_choice = { type: "function", function: { name: choice.name } };
  else if (choice != null) throw badRequest(`tool_choice of type '${String(choice.type)}' is not supported here.`, "tool_choice", "invalid_value");
  const format = body.text?.format;
  if (format?.type === "json_object") params.response_format = { type: "json_object" };
  else if (format?.type === "json_schema") {
    const schema: Item = { name: format.name, schema: format.schema };
    if (format.description != null) schema.description = format.description;
    if (format.strict != null) schema.strict = format.strict;
    params.response_format = { type: "json_schema", json_schema: schema };
  }
  return params;
}
