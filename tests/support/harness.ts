// One start for what nearly every HTTP and end-to-end test needs: the scriptable mock upstream and
// TextLLM pointed at it (OPENAI_BASE_URL / OPENAI_API_KEY), closed together. `startHarness` builds
// the app in-process (app.handle or a port 0 listener); `startProcessHarness` runs the real process.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { startTestApp, type TestApp, type TestAppOptions } from "./app.ts";
import { startMockUpstream, type MockUpstream } from "./mock-upstream.ts";
import { startServer, type RunningServer } from "./server-process.ts";
import { tempDir } from "./temp.ts";

/** The key the app sends upstream unless a test names another. */
export const UPSTREAM_KEY = "sk-up";

interface UpstreamOptions {
  /** A mock the caller owns (shared by several apps; the caller stops it). Default: a new one that close() stops. */
  mock?: MockUpstream;
  /** The OPENAI_API_KEY the app gets (default UPSTREAM_KEY). */
  upstreamKey?: string;
  /** false: no OPENAI_* variables are set — the config names the mock itself (`config` as a function). */
  upstreamEnv?: boolean;
}

export interface HarnessOptions extends Omit<TestAppOptions, "config">, UpstreamOptions {
  config?: Record<string, unknown> | ((mock: MockUpstream) => Record<string, unknown>);
}

export interface Harness {
  mock: MockUpstream;
  app: TestApp;
  /** Closes the app, then stops the mock unless the caller passed its own. */
  close(): Promise<void>;
}

export interface ProcessHarnessOptions extends UpstreamOptions {
  /** Written as config.yaml into `cwd`: an object (as YAML) or YAML text. */
  config?: Record<string, unknown> | string | ((mock: MockUpstream) => Record<string, unknown> | string);
  /** Added to the process environment (after the upstream variables, so they can override them). */
  env?: Record<string, string>;
  /** Default: `bun src/main.ts`. */
  cmd?: string[];
  /** Working directory (default: a new temp dir that close() removes); the data dir is <cwd>/data unless env names one. */
  cwd?: string;
}

export interface ProcessHarness {
  mock: MockUpstream;
  server: RunningServer;
  cwd: string;
  /** Kills the process (SIGKILL; a no-op once it has exited), stops an owned mock, removes an owned cwd. */
  close(): Promise<void>;
}

export const MAIN = join(import.meta.dir, "../../src/main.ts");

function upstreamVariables(mock: MockUpstream, opts: UpstreamOptions): Record<string, string> {
  if (opts.upstreamEnv === false) return {};
  return { OPENAI_BASE_URL: mock.baseUrl, OPENAI_API_KEY: opts.upstreamKey ?? UPSTREAM_KEY };
}

/** The mock to use and how to let go of it. */
function upstreamOf(opts: UpstreamOptions): { mock: MockUpstream; release: () => Promise<void> } {
  if (opts.mock) return { mock: opts.mock, release: async () => {} };
  const mock = startMockUpstream();
  return { mock, release: () => mock.stop() };
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const { mock: _shared, upstreamKey: _key, upstreamEnv: _wire, config, env, ...appOptions } = opts;
  const { mock, release } = upstreamOf(opts);
  let app: TestApp;
  try {
    app = await startTestApp({
      ...appOptions,
      config: typeof config === "function" ? config(mock) : config,
      env: { ...upstreamVariables(mock, opts), ...env },
    });
  } catch (err) {
    await release();
    throw err;
  }
  return {
    mock,
    app,
    async close() {
      await app.close();
      await release();
    },
  };
}

export async function startProcessHarness(opts: ProcessHarnessOptions = {}): Promise<ProcessHarness> {
  const { mock, release } = upstreamOf(opts);
  const owned = opts.cwd ? null : tempDir();
  const cwd = opts.cwd ?? owned!.path;
  const cleanup = async () => {
    await release();
    owned?.cleanup();
  };
  let server: RunningServer;
  try {
    const config = typeof opts.config === "function" ? opts.config(mock) : opts.config;
    if (config !== undefined) writeFileSync(join(cwd, "config.yaml"), typeof config === "string" ? config : stringify(config));
    server = await startServer(opts.cmd ?? [process.execPath, MAIN], {
      cwd,
      env: { TEXTLLM_DATA_DIR: join(cwd, "data"), ...upstreamVariables(mock, opts), ...opts.env },
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    mock,
    server,
    cwd,
    async close() {
      await server.stop("SIGKILL");
      await cleanup();
    },
  };
}
