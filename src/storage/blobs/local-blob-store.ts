// Files on local disk under {data_dir}/files/{key}. Keys are validated before they get here; the
// resolved path is checked once more so that nothing outside the root is ever touched. Bytes are
// written to a temporary name in {root}/.staging (same file system) and renamed into place, so a
// write cut short (full disk, file-size limit) never leaves a truncated file under a key.
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { probeWrite } from "../../lib/health-check.ts";
import type { BlobStore, StagedBlob } from "./blob-store.ts";

/** A staged file this old belongs to a process that died mid-upload. */
const STALE_STAGED_MS = 60 * 60_000;

export function localBlobStore(root: string): BlobStore {
  const base = resolve(root);
  const staging = join(base, ".staging");
  const pathOf = (key: string) => {
    const path = resolve(base, key);
    if (!path.startsWith(base + sep)) throw new Error(`key escapes the files directory: ${key}`);
    return path;
  };
  void removeStale(staging);

  async function stage(data: Uint8Array): Promise<StagedBlob> {
    await mkdir(staging, { recursive: true });
    const temp = join(staging, `${process.pid}-${crypto.randomUUID()}`);
    try {
      await Bun.write(temp, data);
    } catch (err) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw err;
    }
    const discard = () => rm(temp, { force: true }).catch(() => undefined);
    return {
      async commit(key) {
        const path = pathOf(key);
        try {
          await mkdir(dirname(path), { recursive: true });
          await rename(temp, path);
        } catch (err) {
          await discard();
          throw err;
        }
      },
      discard,
    };
  }

  return {
    backend: "local",
    stage,
    async put(key, data) {
      await (await stage(data)).commit(key);
    },
    async read(key) {
      const file = Bun.file(pathOf(key));
      return (await file.exists()) ? new Uint8Array(await file.arrayBuffer()) : null;
    },
    async download(key) {
      const file = Bun.file(pathOf(key));
      return (await file.exists()) ? { body: file } : null;
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    /** Writes and removes a small file where uploads go. */
    async check() {
      const error = await probeWrite(base);
      return error ? { status: "unhealthy", backend: "local", writable: false, error } : { status: "healthy", backend: "local", writable: true };
    },
  };
}

async function removeStale(staging: string): Promise<void> {
  const names = await readdir(staging).catch(() => [] as string[]);
  for (const name of names) {
    const path = join(staging, name);
    const info = await stat(path).catch(() => null);
    if (info && Date.now() - info.mtimeMs > STALE_STAGED_MS) await rm(path, { force: true }).catch(() => undefined);
  }
}
