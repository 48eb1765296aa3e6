// `textllm chat` options: flags first, then TEXTLLM_URL / TEXTLLM_API_KEY, then defaults.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

export interface ChatOptions {
  url: string;
  apiKey: string | null;
  /** Null when an API key names the user (the server decides). */
  user: string | null;
  model: string | null;
  conversation: string | null;
  /** -m: ask this and exit. */
  message: string | null;
  attach: string[];
  images: string[];
  help: boolean;
}

export class UsageError extends Error {}

export const CHAT_HELP = `Usage: textllm chat [options]

Talk to a TextLLM server from the terminal. Interactive when run in a terminal; with -m, or with
a question piped to stdin, it prints the answer and exits.

Options:
  --url URL            server address (TEXTLLM_URL; default http://localhost:8000)
  --api-key KEY        API key (TEXTLLM_API_KEY)
  --user ID            user id (open servers only; default cli-<login name>)
  --model NAME         model to use (default: the server's)
  --conversation ID    continue this conversation
  -m, --message TEXT   ask once and print the answer
  --attach PATH        a document to send with -m or piped input (repeatable)
  --image PATH         an image to send with -m or piped input (repeatable)
  -h, --help           this help

In the chat, type /help for commands.`;

export function parseChatOptions(argv: string[], env: Record<string, string | undefined>): ChatOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: "string" },
        "api-key": { type: "string" },
        user: { type: "string" },
        model: { type: "string" },
        conversation: { type: "string" },
        message: { type: "string", short: "m" },
        attach: { type: "string", multiple: true },
        image: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^TypeError \[\w+\]: /, ""));
  }
  const url = (values.url ?? env.TEXTLLM_URL ?? "http://localhost:8000").replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--url must be an http(s) address, not '${url}'`);
  const apiKey = values["api-key"] ?? env.TEXTLLM_API_KEY ?? null;
  return {
    url,
    apiKey,
    user: values.user ?? (apiKey ? null : defaultUser(env)),
    model: values.model ?? null,
    conversation: values.conversation ?? null,
    message: values.message ?? null,
    attach: values.attach ?? [],
    images: values.image ?? [],
    help: values.help ?? false,
  };
}

/**
 * `cli-<login name>`: $USER or $LOGNAME, else the passwd entry of this process's uid (Bun's
 * os.userInfo() answers "unknown" when $USER is unset), else `cli-user`.
 */
export function defaultUser(env: Record<string, string | undefined>, passwd = readPasswd): string {
  const login = env.USER || env.LOGNAME || passwdName(passwd());
  const safe = login?.replace(/[^A-Za-z0-9._-]/g, "_");
  return `cli-${safe || "user"}`;
}

function readPasswd(): string {
  try {
    return readFileSync("/etc/passwd", "utf8");
  } catch {
    return "";
  }
}

function passwdName(passwd: string): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  return passwd
    .split("\n")
    .map((line) => line.split(":"))
    .find((fields) => fields[2] === String(uid))?.[0];
}
