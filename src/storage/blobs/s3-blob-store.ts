// Files in S3 or any S3-compatible store (MinIO, R2, ...) through Bun's native S3 client.
// Downloads are presigned redirects valid for S3_URL_EXPIRATION seconds.
import { S3Client } from "bun";
import type { BlobStore } from "./blob-store.ts";

export interface S3Options {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  urlExpirationSeconds: number;
}

const PROBE_KEY = "LLM/.health/probe";

export function s3BlobStore(o: S3Options): BlobStore {
  const client = new S3Client({
    bucket: o.bucket,
    region: o.region,
    accessKeyId: o.accessKeyId || undefined,
    secretAccessKey: o.secretAccessKey || undefined,
    endpoint: o.endpoint || undefined,
  });

  const put = async (key: string, data: Uint8Array, contentType: string) => {
    await client.write(key, data, { type: contentType });
  };
  return {
    backend: "s3",
    put,
    // An S3 PUT is already all-or-nothing: the bytes wait in memory until the key is known.
    stage: async (data, contentType) => ({ commit: (key) => put(key, data, contentType), discard: async () => undefined }),
    async read(key) {
      const file = client.file(key);
      if (!(await file.exists())) return null;
      return new Uint8Array(await file.arrayBuffer());
    },
    async download(key, contentType) {
      const file = client.file(key);
      if (!(await file.exists())) return null;
      return { redirect: file.presign({ expiresIn: o.urlExpirationSeconds, method: "GET", type: contentType }) };
    },
    async delete(key) {
      await client.file(key).delete();
    },
    async check() {
      try {
        await client.write(PROBE_KEY, "ok");
        await client.file(PROBE_KEY).delete();
        return { status: "healthy", backend: "s3", bucket: o.bucket, writable: true };
      } catch (err) {
        return {
          status: "unhealthy",
          backend: "s3",
          bucket: o.bucket,
          writable: false,
          error: (err instanceof Error ? err.message : String(err)).slice(0, 200),
        };
      }
    },
  };
}
