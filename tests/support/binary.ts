// The compiled binary, built once per test run (`bun run build`, as users build it) and shared by
// every suite that drives it: building takes most of a minute on these machines.
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./server-process.ts";

const ROOT = join(import.meta.dir, "../..");
let built: Promise<void> | null = null;

/** Builds ./textllm (once) and copies it to `dest`, executable. */
export async function compiledBinary(dest: string): Promise<string> {
  built ??= run([process.execPath, "run", "build"], { cwd: ROOT }).then((build) => {
    if (build.code !== 0) throw new Error(`bun run build failed:\n${build.stderr}`);
  });
  await built;
  copyFileSync(join(ROOT, "textllm"), dest); // copied away from the repo: nothing to read beside it
  await Bun.$`chmod +x ${dest}`;
  return dest;
}
