// A server whose disk refuses a write half-way. Always: a real file-size limit on the server
// process (RLIMIT_FSIZE through prlimit: writes past it fail with EFBIG) — the server's own write
// path meets it. As root: a real full disk, a small tmpfs holding the data directory.
// Either way an upload (or a chat attachment) that cannot be written answers 507
// insufficient_storage and leaves neither a files row nor any bytes behind.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { errorOf } from "../support/app.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import type { RunningServer } from "../support/server-process.ts";
import { MAIN, startProcessHarness, type ProcessHarness } from "../support/harness.ts";
import { tempDir, waitFor } from "../support/temp.ts";

const MB = 1024 * 1024;

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, prefix: string) => {
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path, `${prefix}${name}/`);
      else out.push(`${prefix}${name}`);
    }
  };
  walk(dir, "");
  return out;
}

/** A text document of `bytes` bytes (any size passes the type check: valid UTF-8). */
const textOfSize = (bytes: number) => new TextEncoder().encode("lorem ipsum dolor sit amet\n".repeat(Math.ceil(bytes / 27)).slice(0, bytes));

function suite(name: string, setup: () => Promise<{ server: RunningServer; dataDir: string; cleanup: () => Promise<void> }>, bigFile: number) {
  return () => {
    let env: Awaited<ReturnType<typeof setup>>;
    beforeAll(async () => {
      env = await setup();
    }, 30_000);
    afterAll(async () => env?.cleanup());

    const upload = (user: string, bytes: Uint8Array, filename = "big.txt") => {
      const form = new FormData();
      form.append("file", new File([bytes], filename));
      form.append("user_id", user);
      return fetch(`${env.server.url}/files/upload`, { method: "POST", body: form });
    };
    const listed = async (user: string) => ((await (await fetch(`${env.server.url}/files?user_id=${user}`)).json()) as { data: unknown[] }).data;

    test(`${name}: a failed upload answers 507 and leaves neither a row nor bytes`, async () => {
      const res = await upload("filler", textOfSize(bigFile));
      expect(res.status).toBe(507);
      const err = await errorOf(res);
      expect(err.code).toBe("insufficient_storage");
      expect(await listed("filler")).toEqual([]);
      expect(filesUnder(join(env.dataDir, "files"))).toEqual([]);

      // A file that fits is stored and served whole.
      const small = await upload("filler", textOfSize(1000), "small.txt");
      expect(small.status).toBe(200);
      const { key } = (await small.json()) as { key: string };
      expect((await listed("filler")).length).toBe(1);
      expect((await (await fetch(`${env.server.url}/files/${key}?user_id=filler`)).text()).length).toBe(1000);
    }, 30_000);

    test(`${name}: a chat attachment that cannot be stored answers 507 and stores nothing`, async () => {
      const form = new FormData();
      form.append("message", "Summarise this");
      form.append("user_id", "chatter");
      form.append("files", new File([textOfSize(bigFile)], "notes.txt"));
      const res = await fetch(`${env.server.url}/chat`, { method: "POST", body: form });
      expect(res.status).toBe(507);
      expect((await errorOf(res)).code).toBe("insufficient_storage");
      expect(await listed("chatter")).toEqual([]);
      expect(filesUnder(join(env.dataDir, "files")).filter((f) => f.includes("chatter") || f.startsWith(".staging"))).toEqual([]);
    }, 30_000);
  };
}

let mock: MockUpstream;
beforeAll(() => {
  mock = startMockUpstream();
});
afterAll(() => mock.stop());

const CONFIG = "max_file_size_mb: 8\nrate_limit_per_minute: 1000\n";

const PRLIMIT = Bun.which("prlimit");

describe.skipIf(!PRLIMIT)(
  `file-size limit on the server process (prlimit --fsize)${PRLIMIT ? "" : " (skipped: prlimit, from util-linux, is not installed)"}`,
  suite(
    "fsize",
    async () => {
      // 3 MB per file: room for the SQLite file and its log, not for a 5 MB upload.
      const { server, cwd, close } = await startProcessHarness({ mock, cmd: [PRLIMIT!, `--fsize=${3 * MB}`, process.execPath, MAIN], config: CONFIG });
      return { server, dataDir: join(cwd, "data"), cleanup: close };
    },
    5 * MB,
  ),
);

/** Mounting needs root (and a kernel that lets this container mount): find out once. */
function tmpfsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "not root: a small tmpfs cannot be mounted";
  const probe = tempDir();
  const mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.path]);
  if (mounted.exitCode !== 0) {
    probe.cleanup();
    return `mount failed: ${mounted.stderr.toString().trim()}`;
  }
  Bun.spawnSync(["umount", probe.path]);
  probe.cleanup();
  return null;
}
const noTmpfs = tmpfsUnavailable();

describe.skipIf(noTmpfs !== null)(`a full disk (a 4 MB tmpfs)${noTmpfs ? ` (skipped: ${noTmpfs})` : ""}`, () => {
  const mountPoint = tempDir("textllm-full-disk-");
  let harness: ProcessHarness;
  let server: RunningServer;
  const dataDir = join(mountPoint.path, "data");
  beforeAll(async () => {
    expect(Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint.path]).exitCode).toBe(0);
    mkdirSync(dataDir);
    harness = await startProcessHarness({ mock, config: CONFIG, env: { TEXTLLM_DATA_DIR: dataDir } });
    server = harness.server;
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
    Bun.spawnSync(["umount", mountPoint.path]);
    mountPoint.cleanup();
  });

  suite("tmpfs", async () => ({ server, dataDir, cleanup: async () => undefined }), 5 * MB)();

  test("a disk that refuses writes makes readiness 503 ('failing') and leaves no probe file", async () => {
    expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
    // Fill what is left of the disk.
    const filler = join(mountPoint.path, "filler");
    const chunk = new Uint8Array(64 * 1024);
    try {
      for (;;) writeFileSync(filler, chunk, { flag: "a" });
    } catch (err) {
      expect((err as { code?: string }).code).toBe("ENOSPC");
    }
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: "not_ready", checks: { disk: { status: "failing", writable: false } } });
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "unhealthy", checks: { disk: { status: "failing" }, storage: { status: "unhealthy" } } });
    const leftovers = [...readdirSync(dataDir), ...readdirSync(join(dataDir, "files"))].filter((n) => n.startsWith(".health-"));
    expect(leftovers).toEqual([]);

    rmSync(filler);
    await waitFor(async () => ((await fetch(`${server.url}/health/ready`)).status === 200 ? true : undefined), "readiness after space is freed");
  }, 30_000);
});
