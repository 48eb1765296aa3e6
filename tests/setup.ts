// Preloaded before every test file (bunfig.toml). Suites that start servers, build the binary or
// drive a terminal need more than Bun's 5 s default; bunfig's own [test] timeout is not honoured
// by this Bun version, so the default is set here. Speed is measured by `bun run bench`, not here.
// The run-wide afterAll stops the private Postgres/Redis a run without TEST_* URLs started.
import { afterAll, setDefaultTimeout } from "bun:test";
import { stopPrivateServices } from "./support/private-service.ts";

setDefaultTimeout(60_000);
afterAll(stopPrivateServices);
