// The benchmark's upstream: an OpenAI-compatible server that answers at once, keeps nothing, and
// runs in its own process. Prints its port on stdout.
const REPLY = "The quick brown fox jumps over the lazy dog.".split(/(?<= )/);
const usage = { prompt_tokens: 20, completion_tokens: REPLY.length, total_tokens: 20 + REPLY.length, prompt_tokens_details: { cached_tokens: 0 } };
const encoder = new TextEncoder();

const completion = (model: string) =>
  JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion",
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: "assistant", content: REPLY.join("") }, finish_reason: "stop" }],
    usage,
  });

function stream(model: string, withUsage: boolean): string {
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1_700_000_000, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  let out = chunk({ role: "assistant", content: "" }, null);
  for (const piece of REPLY) out += chunk({ content: piece }, null);
  out += chunk({}, "stop");
  if (withUsage)
    out += `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1_700_000_000, model, choices: [], usage })}\n\n`;
  return `${out}data: [DONE]\n\n`;
}

/** Chat requests answered so far: GET /count, so the benchmark can check one upstream call per request. */
let calls = 0;

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    if (req.method === "GET") return new Response(String(calls));
    calls++;
    const body = (await req.json()) as { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean } };
    const model = body.model ?? "bench-model";
    if (!body.stream) return new Response(completion(model), { headers: { "content-type": "application/json" } });
    // Frames go out one by one, as a real upstream streams them.
    const frames = stream(model, Boolean(body.stream_options?.include_usage)).split(/(?<=\n\n)/);
    let i = 0;
    return new Response(
      new ReadableStream({
        pull(c) {
          if (i < frames.length) c.enqueue(encoder.encode(frames[i++]!));
          else c.close();
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    );
  },
});
console.log(`MOCK_PORT=${server.port}`);
