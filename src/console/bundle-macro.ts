// Runs at bundle time (imported `with { type: "macro" }`): bundles the console's browser code
// (src/console/web) with Bun's bundler and reads its stylesheet, so both are inlined into the
// program as text — the compiled binary carries them, and no user runs a build step. Bun.build
// cannot be called from inside a macro, so the bundler runs as a child process (Bun's advice).
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface ConsoleBundle {
  js: string;
  css: string;
}

export function bundleConsole(): ConsoleBundle {
  const web = join(import.meta.dir, "web");
  const built = Bun.spawnSync([process.execPath, "build", join(web, "main.ts"), "--target=browser", "--format=esm", "--minify"], {
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (built.exitCode !== 0) throw new Error(`console bundle failed:\n${built.stderr.toString()}`);
  const css = readFileSync(join(web, "console.css"), "utf8");
  return { js: built.stdout.toString(), css };
}
