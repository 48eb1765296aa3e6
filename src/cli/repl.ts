// The interactive chat: a prompt with line editing and history (kept in ~/.textllm_history),
// replies streamed as they arrive and wrapped at word boundaries, a cost line after each — also
// after a reply stopped with Ctrl-C, which the server stores and bills. Ctrl-C or Ctrl-D at an
// empty prompt leaves.
import { createInterface } from "node:readline";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CliError, type ApiClient, type TurnSummary } from "./api-client.ts";
import { runCommand, type ChatState } from "./commands.ts";
import { wordWrapper } from "./word-wrap.ts";
import type { ChatOptions } from "./options.ts";
import { usd, type Output } from "./output.ts";

const HISTORY_FILE = join(homedir(), ".textllm_history");
const HISTORY_SIZE = 500;

function loadHistory(): string[] {
  try {
    return existsSync(HISTORY_FILE) ? readFileSync(HISTORY_FILE, "utf8").split("\n").filter(Boolean).slice(-HISTORY_SIZE).reverse() : [];
  } catch {
    return [];
  }
}

export function repl(client: ApiClient, opts: ChatOptions, out: Output): Promise<number> {
  const c = out.colors;
  const state: ChatState = {
    conversationId: opts.conversation,
    userId: opts.user,
    model: opts.model,
    pending: [],
    runCost: 0,
    listed: [],
    lastMessageNumber: 0,
  };
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    history: loadHistory(),
    historySize: HISTORY_SIZE,
    prompt: `${c.green("you")} › `,
  });
  let busy: AbortController | null = null;
  let closed = false;

  /** A y/N question; Ctrl-C (which aborts `signal`) answers no. */
  const confirm = (signal: AbortSignal) => (question: string) =>
    new Promise<boolean>((answer) => {
      signal.addEventListener("abort", () => answer(false), { once: true });
      rl.question(c.yellow(question), { signal }, (reply) => answer(/^y(es)?$/i.test(reply.trim())));
    });

  out.info(
    `TextLLM chat — ${client.baseUrl}${state.model ? ` · model ${state.model}` : ""}${state.conversationId ? ` · conversation ${state.conversationId}` : ""}`,
  );
  out.dim("Type a message, or /help for commands. Ctrl-C stops a reply; Ctrl-D leaves.");

  return new Promise<number>((resolve) => {
    const finish = (code: number) => {
      closed = true;
      rl.removeAllListeners("close");
      rl.close();
      out.line();
      resolve(code);
    };

    async function handle(line: string, signal: AbortSignal) {
      const input = line.trim();
      if (!input) return;
      try {
        appendFileSync(HISTORY_FILE, `${input.replace(/\n/g, " ")}\n`);
      } catch {
        // history is a convenience
      }
      if (input.startsWith("/")) {
        if (!(await runCommand(input, state, client, out, confirm(signal)))) finish(0);
        return;
      }
      const label = "assistant › ";
      out.text(`${c.magenta("assistant")} › `);
      const attachments = state.pending;
      state.pending = [];
      const wrap = out.columns
        ? wordWrapper({ width: out.columns, startColumn: label.length, write: (t) => out.text(t) })
        : { write: (t: string) => out.text(t), end: () => {} };
      const sentAfter = state.conversationId ? state.lastMessageNumber : 0;
      let summary: TurnSummary;
      try {
        summary = await client.chat(
          { message: input, conversationId: state.conversationId, userId: state.userId, model: state.model, attachments },
          (t) => wrap.write(t),
          signal,
        );
      } finally {
        wrap.end();
      }
      state.conversationId = summary.conversationId || state.conversationId;
      if (summary.userId) state.userId = summary.userId;
      out.line();
      if (summary.stopped) await billStopped(summary, sentAfter);
      else state.lastMessageNumber = summary.messageNumber;
      state.runCost += summary.cost;
      const stopped = summary.stopped ? "stopped · " : "";
      const tokens =
        summary.stopped && !summary.messageNumber
          ? "tokens and cost not known yet (see /cost)"
          : `${summary.promptTokens} in · ${summary.completionTokens} out · ${usd(summary.cost)}`;
      out.dim(`  ↳ ${stopped}${tokens} · this run ${usd(state.runCost)}`);
    }

    /** A stopped reply carries no usage frame: take what the server stored for it. */
    async function billStopped(summary: TurnSummary, sentAfter: number) {
      if (!summary.conversationId) return;
      const stored = await client.storedReply(summary.conversationId, sentAfter + 1);
      if (!stored) return;
      summary.messageNumber = stored.message_number;
      summary.promptTokens = stored.usage.prompt_tokens;
      summary.completionTokens = stored.usage.completion_tokens;
      summary.cost = stored.cost;
      state.lastMessageNumber = stored.message_number;
    }

    // Input keeps flowing while a reply streams, so that Ctrl-C reaches us at once; lines typed
    // meanwhile are ignored.
    rl.on("line", (line) => {
      if (busy) return;
      busy = new AbortController();
      handle(line, busy.signal)
        .catch((err) => {
          out.line();
          if (err instanceof CliError) out.error(err.message);
          else if ((err as Error).name === "AbortError")
            out.dim("  ↳ stopped"); // before the reply had begun
          else throw err;
        })
        .finally(() => {
          busy = null;
          if (!closed) rl.prompt();
        });
    });

    rl.on("SIGINT", () => {
      if (busy) {
        busy.abort();
        return;
      }
      if (rl.line.length) {
        // Like a shell: Ctrl-C drops what was typed.
        (rl as unknown as { line: string; cursor: number }).line = "";
        out.line();
        rl.prompt();
        return;
      }
      finish(0);
    });

    rl.on("close", () => {
      closed = true;
      busy?.abort();
      out.line();
      resolve(0);
    });

    rl.prompt();
  });
}
