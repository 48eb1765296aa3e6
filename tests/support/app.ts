// A TextLLM app built in-process from a real config file and a real database, driven through
// app.handle(Request) — the same code path as a request arriving on the socket.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { buildApp, type App } from "../../src/app.ts";
import { loadConfig, type LoadedConfig } from "../../src/config/load.ts";
import { closeDeps, createDeps, type Deps } from "../../src/deps.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { tempDir } from "./temp.ts";

export interface TestApp {
  app: App;
  deps: Deps;
  loaded: LoadedConfig;
  /** Sends one request; `body` objects are sent as JSON. */
  request(method: string, path: string, init?: { body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  /** Opens a real port (0: any free one) and returns the base URL. */
  listen(): string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  config?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Written as prompts.yaml beside config.yaml. */
  prompts?: Record<string, unknown>;
  /** When given, log lines (info and above) are collected here instead of dropped. */
  logLines?: string[];
  /** The server's clock (budgets, sessions, circuit cool-downs). */
  now?: () => Date;
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const dir = tempDir();
  writeFileSync(join(dir.path, "config.yaml"), stringify(opts.config ?? {}));
  if (opts.prompts) writeFileSync(join(dir.path, "prompts.yaml"), stringify(opts.prompts));
  const loaded = loadConfig({ env: { TEXTLLM_DATA_DIR: join(dir.path, "data"), ...opts.env }, cwd: dir.path });
  const sink = opts.logLines;
  const logger = sink
    ? createLogger({ level: "info", logToFile: false, logDir: dir.path, stream: { write: (line: string) => void sink.push(line) } })
    : createLogger({ level: "silent", logToFile: false, logDir: dir.path });
  const deps = await createDeps(loaded, { logger, ...(opts.now ? { now: opts.now } : {}) });
  const app = buildApp(deps);
  return {
    app,
    deps,
    loaded,
    async request(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      let body: RequestInit["body"];
      if (init.body !== undefined) {
        if (typeof init.body === "string" || init.body instanceof Uint8Array || init.body instanceof ReadableStream || init.body instanceof FormData) {
          body = init.body as RequestInit["body"];
        } else {
          body = JSON.stringify(init.body);
          headers["content-type"] ??= "application/json";
        }
      }
      return app.handle(new Request(`http://localhost${path}`, { method, body, headers }));
    },
    listen() {
      app.listen({ hostname: "127.0.0.1", port: 0 });
      return `http://127.0.0.1:${app.server!.port}`;
    },
    async close() {
      await app.server?.stop(true);
      await closeDeps(deps);
      dir.cleanup();
    },
  };
}

/** Asserts the OpenAI error shape and returns its inner object. */
export async function errorOf(res: Response): Promise<{ message: string; type: string; param: string | null; code: string | null }> {
  const json = (await res.json()) as { error?: Record<string, unknown> };
  if (!json.error) throw new Error(`expected an error body, got ${JSON.stringify(json)}`);
  const e = json.error;
  for (const key of ["message", "type", "param", "code"]) {
    if (!(key in e)) throw new Error(`error body lacks '${key}': ${JSON.stringify(json)}`);
  }
  if (typeof e.message !== "string" || e.message === "") throw new Error("error message is empty");
  return e as { message: string; type: string; param: string | null; code: string | null };
}
