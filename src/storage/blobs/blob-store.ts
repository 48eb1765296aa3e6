// Where file bytes live. Two backends behind one small interface — local disk (the embedded
// default) and S3 or any S3-compatible store — chosen once, in deps.ts.
import type { CheckResult } from "../../lib/health-check.ts";

export interface Download {
  /** Bytes to stream to the client... */
  body?: Blob;
  /** ...or a short-lived URL to send the client to instead. */
  redirect?: string;
}

/** Bytes written where no reader can see them yet (a full disk fails here, before anything is claimed). */
export interface StagedBlob {
  /** Makes them the object `key`, whole or not at all. */
  commit(key: string): Promise<void>;
  /** Drops them; harmless after a commit. */
  discard(): Promise<void>;
}

export interface BlobStore {
  readonly backend: "local" | "s3";
  /** Writes the object whole or not at all: a failed write leaves nothing under `key`. */
  put(key: string, data: Uint8Array, contentType: string): Promise<void>;
  stage(data: Uint8Array, contentType: string): Promise<StagedBlob>;
  /** Null when there is no such object. */
  read(key: string): Promise<Uint8Array | null>;
  download(key: string, contentType: string): Promise<Download | null>;
  delete(key: string): Promise<void>;
  /** Writes and removes a probe object. */
  check(): Promise<CheckResult>;
}
