// A redis-server of the test's own, on a free port in a temporary directory, that the test may
// stop and start again (with its persistence, by default an append-only file synced on every
// write) — never the shared one other suites use.
import type { Subprocess } from "bun";
import { RedisClient } from "bun";
import { tempDir, waitFor } from "./temp.ts";

export interface PrivateRedis {
  url: string;
  port: number;
  /** A client of the test's own (connect per use; the server may be down). */
  client(): RedisClient;
  /** Kills the server at once (SIGKILL): what it had synced to disk survives. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory, and waits until it answers. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const REDIS_SERVER = Bun.which("redis-server");

async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  if (!REDIS_SERVER) throw new Error("redis-server is not installed");
  const dir = tempDir("textllm-redis-");
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let proc: Subprocess | null = null;

  const start = async () => {
    proc = Bun.spawn(
      [REDIS_SERVER, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir.path, "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
      {
        stdout: "ignore",
        stderr: "ignore",
      },
    );
    await waitFor(async () => {
      const probe = new RedisClient(url, { connectionTimeout: 500, autoReconnect: false });
      try {
        return (await probe.send("PING", [])) === "PONG" ? true : undefined;
      } finally {
        probe.close();
      }
    }, `redis-server on port ${port}`);
  };
  const kill = async () => {
    if (!proc) return;
    proc.kill("SIGKILL");
    await proc.exited;
    proc = null;
  };
  await start();
  return {
    url,
    port,
    client: () => new RedisClient(url, { autoReconnect: false }),
    kill,
    start,
    async stop() {
      await kill();
      dir.cleanup();
    },
  };
}
