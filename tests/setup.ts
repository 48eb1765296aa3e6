// Preloaded before every test file (bunfig.toml). Suites that start servers, build the binary or
// drive a terminal need more than Bun's 5 s default; bunfig's own [test] timeout is not honoured
// by this Bun version, so the default is set here. Speed is measured by `bun run bench`, not here.
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(60_000);
