// Where file bytes live. Two backends behind one small interface — local disk (the embedded
// default) and S3 or any S3-compatible store — chosen once, in deps.ts.
import type { CheckResult } from "../../health/checks.ts";

export interface Download {
  /** Bytes to stream to the client... */
  body?: Blob;
  /** ...or a short-lived URL to send the client to instead. */
  redirect?: string;
}

export interface BlobStore {
  readonly backend: "local" | "s3";
  put(key: string, data: Uint8Array, contentType: string): Promise<void>;
  /** Null when there is no such object. */
  read(key: string): Promise<Uint8Array | null>;
  download(key: string, contentType: string): Promise<Download | null>;
  delete(key: string): Promise<void>;
  /** Writes and removes a probe object. */
  check(): Promise<CheckResult>;
}
