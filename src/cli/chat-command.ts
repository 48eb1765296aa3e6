// `textllm chat`: interactive in a terminal, otherwise one question (from -m or stdin) answered.
import { CliError, apiClient } from "./api-client.ts";
import { askOnce } from "./ask-once.ts";
import { CHAT_HELP, parseChatOptions, UsageError } from "./options.ts";
import { createOutput } from "./output.ts";
import { repl } from "./repl.ts";

export async function chatCommand(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const out = createOutput(process.stdout, process.stderr, env);
  let opts;
  try {
    opts = parseChatOptions(argv, env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    out.error(`${err.message} (see textllm chat --help)`);
    return 2;
  }
  if (opts.help) {
    out.line(CHAT_HELP);
    return 0;
  }
  const client = apiClient(opts.url, opts.apiKey);
  try {
    if (opts.message !== null) return await askOnce(client, opts, opts.message, out);
    if (!process.stdin.isTTY) return await askOnce(client, opts, (await new Response(Bun.stdin.stream()).text()).trim(), out);
    return await repl(client, opts, out);
  } catch (err) {
    if (err instanceof CliError) {
      out.error(err.message);
      return 1;
    }
    throw err;
  }
}
