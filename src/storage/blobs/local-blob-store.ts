// Files on local disk under {data_dir}/files/{key}. Keys are validated before they get here; the
// resolved path is checked once more so that nothing outside the root is ever touched.
import { mkdir, rm } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import { checkLocalStorage } from "../../health/checks.ts";
import type { BlobStore } from "./blob-store.ts";

export function localBlobStore(root: string): BlobStore {
  const base = resolve(root);
  const pathOf = (key: string) => {
    const path = resolve(base, key);
    if (!path.startsWith(base + sep)) throw new Error(`key escapes the files directory: ${key}`);
    return path;
  };

  return {
    backend: "local",
    async put(key, data) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      await Bun.write(path, data);
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
    check: () => checkLocalStorage(base),
  };
}
