// A local S3-compatible server for the blob-store contract and the S3 HTTP tests.
import { join } from "node:path";
import { tempDir } from "./temp.ts";

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export const S3_SKIP_REASON = "node is not installed (s3rver runs under Node)";
export const NODE = Bun.which("node");

export async function startLocalS3(bucket = "textllm-test"): Promise<LocalS3> {
  if (!NODE) throw new Error(S3_SKIP_REASON);
  const dir = tempDir("textllm-s3-");
  const proc = Bun.spawn([NODE, "--openssl-legacy-provider", join(import.meta.dir, "s3rver-main.cjs"), dir.path, bucket], {
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NODE_PATH: join(import.meta.dir, "../../node_modules") },
  });
  const reader = proc.stdout.getReader();
  let out = "";
  const deadline = Date.now() + 15000;
  while (!/S3RVER_PORT=\d+/.test(out)) {
    const next = await Promise.race([reader.read(), Bun.sleep(Math.max(0, deadline - Date.now())).then(() => null)]);
    if (!next || next.done) {
      proc.kill();
      throw new Error(`s3rver did not start: ${await new Response(proc.stderr).text()}`);
    }
    out += new TextDecoder().decode(next.value);
  }
  reader.releaseLock();
  const port = Number(out.match(/S3RVER_PORT=(\d+)/)![1]);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    env: {
      S3_ENABLED: "true",
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_REGION: "us-east-1",
      S3_ACCESS_KEY: "S3RVER",
      S3_SECRET_KEY: "S3RVER",
      S3_URL_EXPIRATION: "300",
    },
    async stop() {
      proc.kill();
      await proc.exited;
      dir.cleanup();
    },
  };
}
