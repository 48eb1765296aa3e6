// Non-interactive use: `textllm chat -m "question"` or `echo question | textllm chat`. The answer
// goes to stdout, plainly; an error is one line on stderr and a non-zero exit.
import { CliError, type ApiClient, type Attachment } from "./api-client.ts";
import type { ChatOptions } from "./options.ts";
import type { Output } from "./output.ts";

export async function askOnce(client: ApiClient, opts: ChatOptions, question: string, out: Output): Promise<number> {
  if (!question.trim()) {
    out.error("nothing to ask: the message is empty");
    return 2;
  }
  const attachments: Attachment[] = [
    ...opts.attach.map((path) => ({ path, field: "files" as const })),
    ...opts.images.map((path) => ({ path, field: "images" as const })),
  ];
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  try {
    const summary = await client.chat(
      { message: question, conversationId: opts.conversation, userId: opts.user, model: opts.model, attachments },
      (t) => out.text(t),
      controller.signal,
    );
    out.line();
    return summary.stopped ? 130 : 0;
  } catch (err) {
    if (err instanceof CliError) {
      out.error(err.message);
      return 1;
    }
    throw err;
  }
}
