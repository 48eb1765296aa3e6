// `bun bench/sdk-modes.ts`: CPU per upstream call of the ways the openai SDK can be used, beside a
// bare fetch, against the benchmark's mock upstream, in this process (no server in between).
// Measured for issue 17: which of the SDK's cheaper modes is worth adopting in the provider.
import OpenAI from "openai";
import { openAICompatible } from "../src/providers/openai-compatible.ts";
import { startScript } from "./processes.ts";

const CALLS = Number(process.argv.find((a) => a.startsWith("--calls="))?.split("=")[1] ?? 3000);
const CONCURRENCY = 16;
const ROUNDS = 3;
const body = { model: "bench-model", messages: [{ role: "user" as const, content: "Say something short." }] };

async function cpuPerCall(name: string, call: () => Promise<unknown>): Promise<{ name: string; us: number }> {
  for (let i = 0; i < 200; i++) await call(); // warm the JIT
  Bun.gc(true);
  const before = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < CALLS) await call();
    }),
  );
  const used = process.cpuUsage(before);
  return { name, us: (used.user + used.system) / CALLS };
}

async function drain(stream: AsyncIterable<unknown>) {
  for await (const _ of stream);
}

const mock = await startScript("mock-upstream.ts", "MOCK_PORT");
const baseURL = `${mock.url}/v1`;
const client = new OpenAI({ apiKey: "sk-bench", baseURL, maxRetries: 2 });
const headers = { "content-type": "application/json", authorization: "Bearer sk-bench" };
// The provider the server uses (openai-compatible.ts): post() with memoised headers, raw answer.
const provider = openAICompatible({ name: "bench", baseUrl: baseURL, apiKeyEnv: null, apiKey: "sk-bench", models: ["*"], timeoutMs: 60_000, maxRetries: 2 });
const never = new AbortController().signal;
const modes: Array<[string, () => Promise<unknown>]> = [
  ["bare fetch, whole reply parsed", async () => (await fetch(`${baseURL}/chat/completions`, { method: "POST", headers, body: JSON.stringify(body) })).json()],
  ["SDK, one client, create()", () => client.chat.completions.create(body)],
  ["SDK, one client, create().asResponse() + json()", async () => (await client.chat.completions.create(body).asResponse()).json()],
  ["SDK, a new client per call, create()", () => new OpenAI({ apiKey: "sk-bench", baseURL, maxRetries: 2 }).chat.completions.create(body)],
  ["our provider, complete()", () => provider.complete(body, never)],
  [
    "stream: bare fetch, body read",
    async () => (await fetch(`${baseURL}/chat/completions`, { method: "POST", headers, body: JSON.stringify({ ...body, stream: true }) })).text(),
  ],
  ["stream: SDK create({stream}), chunks iterated", async () => drain(await client.chat.completions.create({ ...body, stream: true }))],
  ["stream: SDK create({stream}).asResponse(), body read", async () => (await client.chat.completions.create({ ...body, stream: true }).asResponse()).text()],
  ["stream: our provider, stream(), chunks iterated", async () => drain(await provider.stream(body, never))],
];
// Rounds interleave the modes, and the least of each is kept: the machine's noise only adds.
const best = new Map<string, number>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, call] of modes) {
    const { us } = await cpuPerCall(name, call);
    best.set(name, Math.min(best.get(name) ?? Infinity, us));
  }
}
const results = modes.map(([name]) => ({ name, us: best.get(name)! }));
await mock.stop();
const table = ["| upstream call | CPU per call |", "|---|---|", ...results.map((r) => `| ${r.name} | ${r.us.toFixed(0)} µs |`)].join("\n");
console.log(`${CALLS} calls each (least of ${ROUNDS} rounds), ${CONCURRENCY} at a time, Bun ${Bun.version}\n\n${table}`);
