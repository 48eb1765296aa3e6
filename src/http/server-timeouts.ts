// Bun closes a connection once it has been open for its `idleTimeout` without the client sending
// anything — even while a streamed answer is still being written to it (measured on Bun 1.4.5). So:
// the server's idle timeout sits above every upstream timeout (a plain answer may wait that long
// for its upstream), and streamed answers are exempt: their own deadlines (the upstream's idle
// timeout, the shutdown cut) end them, with an error event rather than a bare close.
import { Elysia } from "elysia";
import type { LoadedConfig } from "../config/load.ts";

/** Bun's largest idle timeout. */
const BUN_MAX_IDLE_SECONDS = 255;
/** Elysia's default, kept as the floor. */
const MIN_IDLE_SECONDS = 30;
/** Room above the slowest upstream for our own work around its answer. */
const MARGIN_SECONDS = 10;

export function idleTimeoutSeconds(loaded: LoadedConfig): number {
  const slowest = Math.max(0, ...loaded.providers.map((p) => p.timeoutMs));
  return Math.min(BUN_MAX_IDLE_SECONDS, Math.max(MIN_IDLE_SECONDS, Math.ceil(slowest / 1000) + MARGIN_SECONDS));
}

const isEventStream = (value: unknown) => value instanceof Response && Boolean(value.headers.get("content-type")?.startsWith("text/event-stream"));

/** Lifts the idle timeout from every streamed answer. */
export const untimedStreams = new Elysia({ name: "untimed-streams" }).onAfterHandle({ as: "global" }, ({ request, server, responseValue }) => {
  if (server && isEventStream(responseValue)) server.timeout(request, 0);
});
