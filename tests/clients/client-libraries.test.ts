// The clients people reach for first, with their default settings, against TextLLM on a real port:
// @openai/agents (run and a streamed run with a function tool), the Vercel AI SDK's default
// `openai(id)` provider (the Responses API) with a tool, LangChain's ChatOpenAI on the Responses API
// with a bound tool. The mock upstream calls the first offered tool, then answers "Tool said: …".
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import OpenAI from "openai";
import { Agent, run, setDefaultOpenAIClient, setTracingDisabled, tool as agentTool } from "@openai/agents";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, stepCountIs, streamText, tool as aiTool } from "ai";
import { ChatOpenAI } from "@langchain/openai";
import { tool as lcTool } from "@langchain/core/tools";
import { HumanMessage, ToolMessage } from "@langchain/core/messages";
import { z } from "zod";
import type { TestApp } from "../support/app.ts";
import type { MockUpstream } from "../support/mock-upstream.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { waitFor } from "../support/temp.ts";

let mock: MockUpstream;
let t: TestApp;
let base: string;
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    config: { model: "gpt-4o", rate_limit_per_minute: 100_000, providers: [{ name: "openai", models: ["gpt-*", "o*"], max_retries: 0 }] },
    upstreamKey: "sk-upstream",
  });
  ({ mock, app: t } = harness);
  base = `${t.listen()}/v1`;
});
afterAll(() => harness?.close());
beforeEach(() => mock.reset());

/** Waits until POST /v1/responses has answered `n` times (a stream is counted when it ends). */
function responsesServed(n: number): Promise<true> {
  return waitFor(async () => {
    const { values } = await t.deps.metrics.requests.get();
    const served = values
      .filter((v) => v.labels.route === "/v1/responses" && v.labels.method === "POST" && v.labels.status === "200")
      .reduce((sum, v) => sum + v.value, 0);
    return served === n ? true : undefined;
  }, `${n} answers from /v1/responses`);
}

const weatherCalls: string[] = [];

test("@openai/agents with default settings: an agent with a function tool completes run() and a streamed run", async () => {
  setTracingDisabled(true);
  setDefaultOpenAIClient(new OpenAI({ baseURL: base, apiKey: "sk-client" }));
  const weather = agentTool({
    name: "weather",
    description: "The weather in a city",
    parameters: z.object({ input: z.string() }),
    execute: async ({ input }) => {
      weatherCalls.push(input);
      return `sunny in ${input}`;
    },
  });
  const agent = new Agent({ name: "Forecaster", instructions: "Use the weather tool.", tools: [weather] });

  const result = await run(agent, "Paris");
  expect(result.finalOutput).toBe("Tool said: sunny in Paris");
  expect(weatherCalls).toEqual(["Paris"]);
  expect(mock.requests.every((r) => r.path === "/v1/chat/completions")).toBe(true);

  const streamed = await run(agent, "Oslo", { stream: true });
  let text = "";
  for await (const event of streamed.toTextStream()) text += event;
  await streamed.completed;
  expect(streamed.finalOutput).toBe("Tool said: sunny in Oslo");
  expect(text).toBe("Tool said: sunny in Oslo");
  await responsesServed(4); // two model calls per run
});

test("Vercel AI SDK, default provider openai(id): generateText and streamText with a tool complete", async () => {
  const openai = createOpenAI({ baseURL: base, apiKey: "sk-client" });
  const tools = {
    lookup: aiTool({ description: "Look a word up", inputSchema: z.object({ input: z.string() }), execute: async ({ input }) => `definition of ${input}` }),
  };
  const generated = await generateText({ model: openai("gpt-4o"), tools, stopWhen: stepCountIs(3), prompt: "serendipity" });
  expect(generated.text).toBe("Tool said: definition of serendipity");
  expect(generated.steps.length).toBe(2);

  const streamed = streamText({ model: openai("gpt-4o"), tools, stopWhen: stepCountIs(3), prompt: "petrichor" });
  let text = "";
  for await (const delta of streamed.textStream) text += delta;
  expect(text).toBe("Tool said: definition of petrichor");
  expect((await streamed.steps).length).toBe(2);
  await responsesServed(8);
});

test("LangChain ChatOpenAI with useResponsesApi and a bound tool completes", async () => {
  const lookup = lcTool(async ({ input }: { input: string }) => `found ${input}`, {
    name: "lookup",
    description: "Look it up",
    schema: z.object({ input: z.string() }),
  });
  const model = new ChatOpenAI({ model: "gpt-4o", apiKey: "sk-client", configuration: { baseURL: base }, useResponsesApi: true }).bindTools([lookup]);
  const question = new HumanMessage("owls");
  const first = await model.invoke([question]);
  expect(first.tool_calls?.[0]).toMatchObject({ name: "lookup", args: { input: "owls" } });
  const call = first.tool_calls![0]!;
  const answer = await model.invoke([
    question,
    first,
    new ToolMessage({ tool_call_id: call.id!, content: String(await lookup.invoke(call.args as { input: string })) }),
  ]);
  expect(answer.text).toBe("Tool said: found owls");
  await responsesServed(10);
  expect(mock.requests.length).toBe(2);
});
