// Throwaway database servers for a test run that was given no TEST_DATABASE_URL / TEST_REDIS_URL:
// started once per `bun test` process (bun runs every file in one process and shares modules),
// each on a free port with its own temp dir, never touching the shared services on 5432/6379.
// They are stopped by the run-wide afterAll in tests/setup.ts; should bun itself die first, the
// kernel signals them (setpriv --pdeathsig), so none outlives the run.
import { closeSync, openSync, readFileSync } from "node:fs";
import type { Subprocess } from "bun";
import { tempDir } from "./temp.ts";

export const SETPRIV = Bun.which("setpriv");

export interface PrivateService {
  url: string;
  stop(): Promise<void>;
}

const started = new Map<string, Promise<PrivateService>>();

/** The service under `name`, started by `start` the first time anyone asks for it in this run. */
export function privateService(name: string, start: () => Promise<PrivateService>): Promise<PrivateService> {
  let service = started.get(name);
  if (!service) {
    service = start();
    started.set(name, service);
  }
  return service;
}

/** Stops every service started in this run and removes their directories. */
export async function stopPrivateServices(): Promise<void> {
  const all = [...started.values()];
  started.clear();
  await Promise.all(
    all.map((s) =>
      s.then(
        (service) => service.stop(),
        () => undefined,
      ),
    ),
  );
}

/** A TCP port that was free a moment ago. */
export function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** The first of `names` that exists in /etc/passwd. */
export function osUser(names: string[]): OsUser | null {
  const entries = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .map((line) => line.split(":"));
  for (const name of names) {
    const entry = entries.find((fields) => fields[0] === name);
    if (entry) return { name, uid: Number(entry[2]), gid: Number(entry[3]) };
  }
  return null;
}

/**
 * Spawns a server process that dies with this one: wrapped in `setpriv --pdeathsig`, and run as
 * `user` when given (Postgres refuses to run as root).
 */
export function spawnTied(cmd: string[], opts: { user?: OsUser | null; deathSignal: "SIGINT" | "SIGTERM"; cwd: string; logFile: string }): Subprocess {
  const wrapper = SETPRIV
    ? [SETPRIV, ...(opts.user ? [`--reuid=${opts.user.uid}`, `--regid=${opts.user.gid}`, "--init-groups"] : []), `--pdeathsig=${opts.deathSignal}`, "--"]
    : [];
  // Output goes to a file: an undrained pipe would block a chatty server.
  const log = openSync(opts.logFile, "a");
  try {
    return Bun.spawn([...wrapper, ...cmd], {
      cwd: opts.cwd,
      stdin: "ignore",
      stdout: log,
      stderr: log,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C" },
    });
  } finally {
    closeSync(log);
  }
}

/** Runs a setup command (e.g. initdb) the same way, to completion; throws with its output on failure. */
export async function runAs(cmd: string[], opts: { user?: OsUser | null; cwd: string }): Promise<void> {
  const wrapper = SETPRIV && opts.user ? [SETPRIV, `--reuid=${opts.user.uid}`, `--regid=${opts.user.gid}`, "--init-groups", "--"] : [];
  const proc = Bun.spawn([...wrapper, ...cmd], {
    cwd: opts.cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C" },
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} failed (exit ${code}):\n${stderr || stdout}`);
}

/** A temp dir, owned by `user` when given, removed by cleanup. */
export function serviceDir(prefix: string, user: OsUser | null): ReturnType<typeof tempDir> {
  const dir = tempDir(prefix);
  if (user) Bun.spawnSync(["chown", "-R", `${user.uid}:${user.gid}`, dir.path]);
  return dir;
}

/** Ends a server process: `signal`, then SIGKILL if it has not exited within ten seconds. */
export async function endProcess(proc: Subprocess, signal: NodeJS.Signals): Promise<void> {
  proc.kill(signal);
  const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(10_000).then(() => false)]);
  if (!exited) {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}
