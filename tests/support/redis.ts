// The Redis that suites needing one use: TEST_REDIS_URL, else a private redis-server this run
// starts from the installed binary on a free port (no persistence, its own temp dir).
import { join } from "node:path";
import { endProcess, freePort, privateService, type PrivateService, serviceDir, spawnTied } from "./private-service.ts";
import { waitFor } from "./temp.ts";

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "";
const REDIS_SERVER = Bun.which("redis-server");

/** Null when Redis suites can run; otherwise why they are skipped. */
export const REDIS_SKIP: string | null =
  TEST_REDIS_URL || REDIS_SERVER ? null : "TEST_REDIS_URL is not set and redis-server is not installed (see README: Testing)";

/** TEST_REDIS_URL, or this run's private Redis. */
export function testRedisUrl(): Promise<string> {
  if (REDIS_SKIP) return Promise.reject(new Error(`Redis is not available: ${REDIS_SKIP}`));
  if (TEST_REDIS_URL) return Promise.resolve(TEST_REDIS_URL);
  return privateService("redis", startPrivateRedis).then((service) => service.url);
}

/** True once the server at host:port answers PING. */
async function answersPing(port: number): Promise<boolean> {
  const reply = Promise.withResolvers<boolean>();
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data: (_, bytes) => reply.resolve(new TextDecoder().decode(bytes).startsWith("+PONG")),
      close: () => reply.resolve(false),
      error: () => reply.resolve(false),
    },
  });
  socket.write("PING\r\n");
  const ok = await Promise.race([reply.promise, Bun.sleep(2000).then(() => false)]);
  socket.end();
  return ok;
}

async function startPrivateRedis(): Promise<PrivateService> {
  const dir = serviceDir("textllm-redis-", null);
  const logFile = join(dir.path, "redis.log");
  try {
    for (let attempt = 1; ; attempt++) {
      const port = freePort();
      const proc = spawnTied([REDIS_SERVER!, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.path], {
        deathSignal: "SIGTERM",
        cwd: dir.path,
        logFile,
      });
      const ready = await waitFor(
        async () => (proc.exitCode !== null ? false : (await answersPing(port)) || undefined),
        "the private Redis to answer",
        15_000,
      ).catch(async (err) => {
        await endProcess(proc, "SIGKILL");
        throw new Error(`${(err as Error).message}\n${await Bun.file(logFile).text()}`);
      });
      if (ready) {
        return {
          url: `redis://127.0.0.1:${port}`,
          async stop() {
            await endProcess(proc, "SIGTERM");
            dir.cleanup();
          },
        };
      }
      const log = await Bun.file(logFile).text();
      if (attempt >= 3 || !log.includes("in use")) throw new Error(`the private Redis did not start:\n${log}`);
    }
  } catch (err) {
    dir.cleanup();
    throw err;
  }
}
