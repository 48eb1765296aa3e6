// Preloaded once per run (bunfig.toml). Suites that start servers, build the binary or drive a
// terminal need more than Bun's 5 s default, but neither bunfig's [test] timeout nor a preloaded
// setDefaultTimeout reaches them (the latter covers only the first file run), so the README's
// command passes `--timeout 60000`; the call below keeps a single-file run in step. Speed is
// measured by `bun run bench`, not here. The run-wide afterAll stops the private Postgres/Redis
// that a run without TEST_* URLs started.
import { afterAll, setDefaultTimeout } from "bun:test";
import { stopPrivateServices } from "./support/private-service.ts";

setDefaultTimeout(60_000);
afterAll(stopPrivateServices, 30_000);
