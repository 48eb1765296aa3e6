// Extracts from OpenAI's OpenAPI description (github.com/openai/openai-openapi, openapi.json) the
// schemas this server answers with — Response, its stream events, input item lists, Model,
// embeddings — with everything they reference, minus prose. Run when the spec moves:
//   bun tests/support/extract-openai-spec.ts path/to/openapi.json <commit> > tests/support/openai-spec.json
type Json = Record<string, any>;

export const ROOTS = [
  "Response",
  "ResponseItemList",
  "Model",
  "CreateEmbeddingResponse",
  "ResponseCreatedEvent",
  "ResponseInProgressEvent",
  "ResponseOutputItemAddedEvent",
  "ResponseContentPartAddedEvent",
  "ResponseTextDeltaEvent",
  "ResponseTextDoneEvent",
  "ResponseContentPartDoneEvent",
  "ResponseFunctionCallArgumentsDeltaEvent",
  "ResponseFunctionCallArgumentsDoneEvent",
  "ResponseOutputItemDoneEvent",
  "ResponseCompletedEvent",
  "ResponseIncompleteEvent",
  "ResponseFailedEvent",
  "ResponseErrorEvent",
];

const PROSE = new Set(["description", "example", "examples", "title", "deprecated"]);

function strip(node: unknown, found: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => strip(n, found));
  if (!node || typeof node !== "object") return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (PROSE.has(key) || key.startsWith("x-")) continue;
    if (key === "$ref" && typeof value === "string") found.add(value.split("/").at(-1)!); // extracted by the caller's loop
    out[key] = key === "properties" ? Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, strip(v, found)])) : strip(value, found);
  }
  return out;
}

if (import.meta.main) {
  const [path, commit] = Bun.argv.slice(2);
  const spec = (await Bun.file(path!).json()) as Json;
  const schemas = spec.components.schemas as Json;
  const found = new Set(ROOTS);
  const done: Json = {};
  let pending = [...found];
  while (pending.length) {
    for (const name of pending) done[name] = strip(schemas[name], found);
    pending = [...found].filter((name) => !(name in done));
  }
  const sorted = Object.fromEntries(
    Object.keys(done)
      .sort()
      .map((k) => [k, done[k]]),
  );
  console.log(
    JSON.stringify({
      $comment: `Extracted from openai/openai-openapi openapi.json at ${commit} by tests/support/extract-openai-spec.ts`,
      components: { schemas: sorted },
    }),
  );
}
