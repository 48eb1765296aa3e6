// Examples of the Responses API for the OpenAPI document, copied from real answers of this server:
// requests one can send from Swagger's "Try it out" (text, input items, a function tool, a
// continuation by previous_response_id, a stream), the response object, its typed event stream,
// a deleted response and a page of input items.
import { eventFrame } from "../../chat/responses/events.ts";

const RESP_ID = "resp_01a22a595d7776feb892a16e35123f9b";
const MSG_ID = "msg_01a22a595d7776ff8c766036c170eb8d";
const INPUT_ID = "msg_01a22a595d747607898daae01d153c88";

const WEATHER_TOOL = {
  type: "function",
  name: "get_weather",
  description: "The current weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

export const RESPONSE_REQUEST_EXAMPLES = {
  text: { summary: "A text input", value: { model: "gpt-4o", instructions: "Answer briefly.", input: "Hello!" } },
  items: {
    summary: "Input items (messages with content parts)",
    value: {
      model: "gpt-4o",
      input: [
        { type: "message", role: "developer", content: "You are a concise assistant." },
        { type: "message", role: "user", content: [{ type: "input_text", text: "Name three colours." }] },
      ],
    },
  },
  tool: { summary: "A function tool the model may call", value: { model: "gpt-4o", input: "What is the weather in Lisbon?", tools: [WEATHER_TOOL] } },
  continue: {
    summary: "Continue a stored response (its conversation's history is supplied by the server)",
    value: { model: "gpt-4o", previous_response_id: RESP_ID, input: "And in French?" },
  },
  tool_output: {
    summary: "Answer a function call (continuing the response that asked for it)",
    value: {
      model: "gpt-4o",
      previous_response_id: RESP_ID,
      input: [{ type: "function_call_output", call_id: "call_abc123", output: '{"temperature_c":21}' }],
      tools: [WEATHER_TOOL],
    },
  },
  stream: { summary: "Streamed as typed events", value: { model: "gpt-4o", input: "Hello!", stream: true } },
};

const outputText = (text: string) => ({ type: "output_text", text, annotations: [], logprobs: [] });
const message = (status: string, content: unknown[]) => ({ id: MSG_ID, type: "message", status, role: "assistant", content });

const baseResponse = {
  id: RESP_ID,
  object: "response",
  created_at: 1764493200,
  status: "completed",
  background: false,
  error: null,
  incomplete_details: null,
  instructions: "Answer briefly.",
  max_output_tokens: null,
  max_tool_calls: null,
  model: "gpt-4o",
  output: [message("completed", [outputText("Hello! How can I help you today?")])],
  parallel_tool_calls: true,
  previous_response_id: null,
  reasoning: { effort: null, summary: null },
  service_tier: "default",
  store: true,
  temperature: 1,
  text: { format: { type: "text" } },
  tool_choice: "auto",
  tools: [],
  top_p: 1,
  truncation: "disabled",
  metadata: {},
};

const USAGE = {
  input_tokens: 9,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 9,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 18,
};

export const RESPONSE_EXAMPLE = { ...baseResponse, usage: USAGE };

const inProgress = { ...baseResponse, status: "in_progress", output: [] };
const events = [
  { type: "response.created", response: inProgress },
  { type: "response.in_progress", response: inProgress },
  { type: "response.output_item.added", output_index: 0, item: message("in_progress", []) },
  { type: "response.content_part.added", item_id: MSG_ID, output_index: 0, content_index: 0, part: outputText("") },
  { type: "response.output_text.delta", item_id: MSG_ID, output_index: 0, content_index: 0, delta: "Hello!", logprobs: [] },
  { type: "response.output_text.delta", item_id: MSG_ID, output_index: 0, content_index: 0, delta: " How can I help you today?", logprobs: [] },
  { type: "response.output_text.done", item_id: MSG_ID, output_index: 0, content_index: 0, text: "Hello! How can I help you today?", logprobs: [] },
  { type: "response.content_part.done", item_id: MSG_ID, output_index: 0, content_index: 0, part: outputText("Hello! How can I help you today?") },
  { type: "response.output_item.done", output_index: 0, item: RESPONSE_EXAMPLE.output[0] },
  { type: "response.completed", response: RESPONSE_EXAMPLE },
];

/** The same answer as `stream: true` sends it: each event named and numbered. */
export const RESPONSE_STREAM_EXAMPLE = events.map((event, index) => eventFrame({ ...event, sequence_number: index })).join("");

export const DELETED_RESPONSE_EXAMPLE = { id: RESP_ID, object: "response", deleted: true };

export const INPUT_ITEMS_EXAMPLE = {
  object: "list",
  data: [{ id: INPUT_ID, type: "message", status: "completed", role: "user", content: [{ type: "input_text", text: "Hello!" }] }],
  first_id: INPUT_ID,
  last_id: INPUT_ID,
  has_more: false,
};
