// The blob backends every storage suite runs against: local disk always; S3 through a local
// S3-compatible server (s3rver, which needs Node) — skipped with the reason when Node is missing.
import { NODE, S3_SKIP_REASON, startLocalS3 } from "./s3.ts";

export interface BlobBackendHandle {
  /** Environment that selects this backend. */
  env: Record<string, string>;
  /** For S3: the server, to look at the bucket directly. */
  s3?: { endpoint: string; bucket: string };
  cleanup(): Promise<void>;
}

export interface BlobBackend {
  name: "local" | "s3";
  skip: string | null;
  open(): Promise<BlobBackendHandle>;
}

export const BLOB_BACKENDS: BlobBackend[] = [
  { name: "local", skip: null, open: async () => ({ env: {}, cleanup: async () => undefined }) },
  {
    name: "s3",
    skip: NODE ? null : S3_SKIP_REASON,
    async open() {
      const s3 = await startLocalS3();
      return { env: s3.env, s3: { endpoint: s3.endpoint, bucket: s3.bucket }, cleanup: () => s3.stop() };
    },
  },
];

export const blobTitle = (b: BlobBackend) => (b.skip ? `${b.name} (skipped: ${b.skip})` : b.name);
