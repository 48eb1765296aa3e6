// Preloaded before every test file (bunfig.toml). Suites that start servers, build the binary or
// drive a terminal need more than Bun's 5 s default. In this Bun version neither bunfig's [test]
// timeout nor setDefaultTimeout here reaches files after the first one, so the README's command
// passes `--timeout 60000`; this keeps a single-file run (`bun test tests/x.test.ts`) in step.
// Speed is measured by `bun run bench`, not here.
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(60_000);
