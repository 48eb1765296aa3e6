// The streamed answers this server knows of: their event logs (chat/event-log.ts, shared across
// replicas when the backend is) and the cancels of the generations running in this process, so
// POST /chat/streams/{id}/cancel can stop one whatever connection asked for it.
import type { EventLog } from "./event-log.ts";

export interface AnswerStreams {
  log: EventLog;
  /** Keeps a running generation's cancel until the returned release is called. */
  running(streamId: string, cancel: () => void): () => void;
  /** Stops a generation running here; false when none is. */
  cancel(streamId: string): boolean;
}

export function answerStreams(log: EventLog): AnswerStreams {
  const cancels = new Map<string, () => void>();
  return {
    log,
    running(streamId, cancel) {
      cancels.set(streamId, cancel);
      return () => cancels.delete(streamId);
    },
    cancel(streamId) {
      const cancel = cancels.get(streamId);
      if (!cancel) return false;
      cancel();
      return true;
    },
  };
}
