// The slash commands of the interactive client.
import { existsSync, statSync } from "node:fs";
import { CliError, type ApiClient, type Attachment } from "./api-client.ts";
import { expandHome, notAnImage } from "./local-files.ts";
import { usd, type Output } from "./output.ts";

export interface ChatState {
  conversationId: string | null;
  userId: string | null;
  model: string | null;
  pending: Attachment[];
  /** Spent in this run of the client. */
  runCost: number;
  /** The conversation ids /list showed, in order: `/open 2` is the second. */
  listed: string[];
  /** message_number of the current conversation's newest stored message (0: none yet). */
  lastMessageNumber: number;
}

/** Asks a yes/no question at the prompt; true only for an explicit yes. */
export type Confirm = (question: string) => Promise<boolean>;

export const COMMANDS_HELP = `Commands:
  /new            start a new conversation
  /list           your recent conversations
  /open N|ID      switch to a conversation (its /list number, or an id or its start)
  /history        the current conversation's messages
  /attach PATH    send a document (PDF, DOCX, text) with your next message
  /image PATH     send an image with your next message
  /model NAME     use another model
  /cost           today's session and your totals
  /delete         delete the current conversation (asks first)
  /help           this list
  /quit           leave (or Ctrl-D; Ctrl-C stops a reply)`;

/** Runs one command line; returns false when the client should exit. */
export async function runCommand(line: string, state: ChatState, client: ApiClient, out: Output, confirm: Confirm): Promise<boolean> {
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
      state.lastMessageNumber = 0;
      state.pending = [];
      out.info("New conversation: your next message starts it.");
      return true;
    case "list": {
      const list = await client.conversations(state.userId, 10);
      state.listed = list.map((conv) => conv.id);
      if (!list.length) out.dim("No conversations yet.");
      list.forEach((conv, index) => {
        const mark = conv.id === state.conversationId ? c.green("*") : " ";
        out.line(
          `${String(index + 1).padStart(2)}${mark} ${c.bold(conv.id)}  ${conv.title ?? c.dim("(untitled)")}  ${c.dim(`${conv.message_count} messages · ${conv.last_used.slice(0, 16).replace("T", " ")}`)}`,
        );
      });
      if (list.length) out.dim("Open one with /open NUMBER (or an id, or its first characters).");
      return true;
    }
    case "open": {
      if (!arg) {
        out.error("usage: /open NUMBER or /open ID (see /list)");
        return true;
      }
      const conv = await client.conversation(await pickConversation(arg, state, client));
      state.conversationId = conv.id;
      state.lastMessageNumber = conv.message_count;
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
      const path = expandHome(arg);
      if (!existsSync(path) || !statSync(path).isFile()) {
        out.error(`cannot read ${arg}: no such file`);
        return true;
      }
      const refusal = name === "image" ? await notAnImage(path, arg) : null;
      if (refusal) {
        out.error(refusal);
        return true;
      }
      state.pending.push({ path, field: name === "image" ? "images" : "files" });
      out.info(`Attached ${arg} (${Math.ceil(statSync(path).size / 1024)} KB): it goes with your next message.`);
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
      out.line(
        current
          ? `Today's session: ${usd(current.total_cost)} · ${current.total_tokens} tokens · ${current.request_count} requests`
          : "Today's session: nothing yet",
      );
      out.line(
        `Last 30 days: ${usd(stats.total_cost)} · ${stats.total_conversations} conversations · ${stats.total_messages} messages · ${stats.total_tokens_input} in / ${stats.total_tokens_output} out tokens`,
      );
      return true;
    }
    case "delete":
      if (!state.conversationId) out.dim("No current conversation to delete.");
      else if (!(await confirm(`Delete ${state.conversationId} and its messages? [y/N] `))) out.info(`Kept ${state.conversationId}.`);
      else {
        await client.deleteConversation(state.conversationId);
        out.info(`Deleted ${state.conversationId}.`);
        state.conversationId = null;
        state.lastMessageNumber = 0;
      }
      return true;
    default:
      out.error(`unknown command /${name} — type /help`);
      return true;
  }
}

/** `/open`'s argument: a number from the last /list, an id, or the start of one. */
async function pickConversation(arg: string, state: ChatState, client: ApiClient): Promise<string> {
  if (/^\d+$/.test(arg)) {
    if (!state.listed.length) state.listed = (await client.conversations(state.userId, 10)).map((conv) => conv.id);
    const id = state.listed[Number(arg) - 1];
    if (!id) throw new CliError(`there is no conversation ${arg} in /list (it shows ${state.listed.length})`);
    return id;
  }
  const recent = await client.conversations(state.userId, 100);
  if (recent.some((conv) => conv.id === arg)) return arg;
  const matches = recent.filter((conv) => conv.id.startsWith(arg) || conv.id.startsWith(`conv_${arg}`));
  if (matches.length > 1) throw new CliError(`'${arg}' is the start of ${matches.length} conversations' ids: type more of it`);
  // No match among the recent ones: the server says whether such an id exists.
  return matches[0]?.id ?? arg;
}

/** Stored messages, framed and marked so they do not read as the live chat. */
async function showHistory(client: ApiClient, state: ChatState, out: Output, limit: number) {
  const messages = await client.messages(state.conversationId!, limit);
  const c = out.colors;
  out.dim(`┌─ history of ${state.conversationId} · ${messages.length === limit ? `last ${limit}` : messages.length} messages`);
  for (const m of messages) {
    const who = m.role === "user" ? c.green("you") : m.role === "assistant" ? c.magenta("assistant") : c.dim(m.role);
    const files = m.attachments.length ? c.dim(` [${m.attachments.map((a) => a.filename).join(", ")}]`) : "";
    // Documents are stored inline with the question; show the question, not the pages.
    const text = m.content.split("\n<document ")[0]!.trim();
    const shown = (text.length > 500 ? `${text.slice(0, 497)}...` : text).replace(/\n/g, "\n│   ");
    out.line(`${c.dim("│")} ${c.dim(`#${m.message_number}`)} ${who} › ${shown}${files}`);
  }
  out.dim("└─ end of history — new messages continue this conversation");
}
