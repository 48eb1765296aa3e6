// The slash commands of the interactive client.
import { existsSync, statSync } from "node:fs";
import type { ApiClient, Attachment } from "./api-client.ts";
import { usd, type Output } from "./output.ts";

export interface ChatState {
  conversationId: string | null;
  userId: string | null;
  model: string | null;
  pending: Attachment[];
  /** Spent in this run of the client. */
  runCost: number;
}

export const COMMANDS_HELP = `Commands:
  /new            start a new conversation
  /list           your recent conversations
  /open ID        switch to a conversation and show its recent messages
  /history        the current conversation's messages
  /attach PATH    send a document (PDF, DOCX, text) with your next message
  /image PATH     send an image with your next message
  /model NAME     use another model
  /cost           today's session and your totals
  /delete         delete the current conversation
  /help           this list
  /quit           leave (or Ctrl-D; Ctrl-C stops a reply)`;

/** Runs one command line; returns false when the client should exit. */
export async function runCommand(line: string, state: ChatState, client: ApiClient, out: Output): Promise<boolean> {
  const [name = "", ...rest] = line.slice(1).trim().split(/\s+/);
  const arg = rest.join(" ").trim();
  const c = out.colors;
  switch (name) {
    case "quit":
    case "exit":
    case "q":
      return false;
    case "help":
      out.line(COMMANDS_HELP);
      return true;
    case "new":
      state.conversationId = null;
      state.pending = [];
      out.info("New conversation: your next message starts it.");
      return true;
    case "list": {
      const list = await client.conversations(state.userId, 10);
      if (!list.length) out.dim("No conversations yet.");
      for (const conv of list) {
        const mark = conv.id === state.conversationId ? c.green("*") : " ";
        out.line(`${mark} ${c.bold(conv.id)}  ${conv.title ?? c.dim("(untitled)")}  ${c.dim(`${conv.message_count} messages · ${conv.last_used.slice(0, 16).replace("T", " ")}`)}`);
      }
      return true;
    }
    case "open": {
      if (!arg) {
        out.error("usage: /open ID (see /list)");
        return true;
      }
      const conv = await client.conversation(arg);
      state.conversationId = conv.id;
      out.info(`Switched to ${conv.id}: ${conv.title ?? "(untitled)"}`);
      await showHistory(client, state, out, 6);
      return true;
    }
    case "history":
      if (!state.conversationId) out.dim("No conversation yet: send a message to start one.");
      else await showHistory(client, state, out, 20);
      return true;
    case "attach":
    case "image": {
      if (!arg) {
        out.error(`usage: /${name} PATH`);
        return true;
      }
      if (!existsSync(arg) || !statSync(arg).isFile()) {
        out.error(`cannot read ${arg}: no such file`);
        return true;
      }
      state.pending.push({ path: arg, field: name === "image" ? "images" : "files" });
      out.info(`Attached ${arg} (${Math.ceil(statSync(arg).size / 1024)} KB): it goes with your next message.`);
      return true;
    }
    case "model":
      if (!arg) out.info(`Model: ${state.model ?? "the server's default"}`);
      else {
        state.model = arg;
        out.info(`Model set to ${arg}.`);
      }
      return true;
    case "cost": {
      out.line(`This run: ${usd(state.runCost)}`);
      if (!state.userId) {
        out.dim("Send a message first: the server then tells who you are.");
        return true;
      }
      const [{ current }, stats] = await Promise.all([client.sessions(state.userId), client.stats(state.userId)]);
      out.line(current ? `Today's session: ${usd(current.total_cost)} · ${current.total_tokens} tokens · ${current.request_count} requests` : "Today's session: nothing yet");
      out.line(`Last 30 days: ${usd(stats.total_cost)} · ${stats.total_conversations} conversations · ${stats.total_messages} messages · ${stats.total_tokens_input} in / ${stats.total_tokens_output} out tokens`);
      return true;
    }
    case "delete":
      if (!state.conversationId) out.dim("No current conversation to delete.");
      else {
        await client.deleteConversation(state.conversationId);
        out.info(`Deleted ${state.conversationId}.`);
        state.conversationId = null;
      }
      return true;
    default:
      out.error(`unknown command /${name} — type /help`);
      return true;
  }
}

async function showHistory(client: ApiClient, state: ChatState, out: Output, limit: number) {
  const messages = await client.messages(state.conversationId!, limit);
  const c = out.colors;
  for (const m of messages) {
    const who = m.role === "user" ? c.green("you") : m.role === "assistant" ? c.magenta("assistant") : c.dim(m.role);
    const files = m.attachments.length ? c.dim(` [${m.attachments.map((a) => a.filename).join(", ")}]`) : "";
    // Documents are stored inline with the question; show the question, not the pages.
    const text = m.content.split("\n<document ")[0]!.trim();
    out.line(`${who} › ${text.length > 500 ? `${text.slice(0, 497)}...` : text}${files}`);
  }
}
