import { describe, expect, test } from "bun:test";
import { buildContext } from "../../src/chat/history.ts";
import type { ChatMessage } from "../../src/chat/messages.ts";
import { titleFrom, textOf } from "../../src/chat/messages.ts";

const turns = (n: number, size = 10): ChatMessage[] =>
  Array.from({ length: n }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `turn ${i} ${"word ".repeat(size)}` }) as ChatMessage);

const base = { systemPrompt: "Be helpful.", maxHistoryItems: 100, contextWindow: 128_000, reserveForOutput: 1000 };
const newTurn: ChatMessage[] = [{ role: "user", content: "the new question" }];

describe("context sent upstream", () => {
  test("system prompt first, then the history, then the new turn", async () => {
    const { messages, dropped } = await buildContext({ ...base, history: turns(4), newTurn });
    expect(messages[0]).toEqual({ role: "system", content: "Be helpful." });
    expect(messages.slice(1, 5).map((m) => m.content)).toEqual(turns(4).map((m) => m.content));
    expect(messages.at(-1)).toEqual(newTurn[0]!);
    expect(dropped).toBe(0);
  });

  test("max_history_items keeps the newest stored messages", async () => {
    const { messages, dropped } = await buildContext({ ...base, maxHistoryItems: 3, history: turns(10), newTurn });
    expect(messages.slice(1, -1).map((m) => (m.content as string).split(" ").slice(0, 2).join(" "))).toEqual(["turn 7", "turn 8", "turn 9"]);
    expect(dropped).toBe(7);
  });

  test("a history window never starts with a tool result whose call was cut off", async () => {
    const history: ChatMessage[] = [
      { role: "user", content: "q" },
      { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }] },
      { role: "tool", content: "r", tool_call_id: "c1" },
      { role: "assistant", content: "a" },
    ];
    const { messages, dropped } = await buildContext({ ...base, maxHistoryItems: 2, history, newTurn });
    expect(messages.slice(1).map((m) => m.role)).toEqual(["assistant", "user"]);
    expect(dropped).toBe(3);
  });

  test("the context budget drops the oldest turns first and keeps the system prompt and new turn", async () => {
    // Each history message is ~200 tokens; a 1,200-token window with 300 reserved leaves room for ~4.
    const { messages, dropped } = await buildContext({ ...base, contextWindow: 1200, reserveForOutput: 300, history: turns(12, 200), newTurn });
    expect(messages[0]!.role).toBe("system");
    expect(messages.at(-1)).toEqual(newTurn[0]!);
    const kept = messages.slice(1, -1);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(6);
    expect(kept[0]!.role).toBe("user"); // never opens on an orphaned answer
    expect(dropped).toBe(12 - kept.length);
    expect((kept.at(-1)!.content as string).startsWith("turn 11")).toBe(true);
  });

  test("a new turn that cannot fit at all is a 400 context_length_exceeded", async () => {
    const huge: ChatMessage[] = [{ role: "user", content: "token ".repeat(5000) }];
    const err = await buildContext({ ...base, contextWindow: 2000, reserveForOutput: 500, history: [], newTurn: huge }).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.code).toBe("context_length_exceeded");
  });
});

describe("message helpers", () => {
  test("titleFrom takes the first line, trimmed to 80 characters", () => {
    expect(titleFrom("  Hello there\nsecond line")).toBe("Hello there");
    expect(titleFrom("x".repeat(100))!.length).toBe(80);
    expect(titleFrom("   ")).toBeNull();
  });

  test("textOf joins text parts and ignores images", () => {
    expect(
      textOf([
        { type: "text", text: "a" },
        { type: "image_url", image_url: { url: "data:" } },
        { type: "text", text: "b" },
      ]),
    ).toBe("a\nb");
    expect(textOf(null)).toBe("");
  });
});
