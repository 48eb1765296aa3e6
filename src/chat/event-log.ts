// The event log of a streamed answer: the generation appends each SSE frame once, numbered 1, 2, …;
// any number of readers replay the frames after N and then follow the live ones to the end. The
// answer is thereby decoupled from the connection that asked for it: a client that drops can come
// back with Last-Event-ID, and the generation goes on without it. A finished log is kept for the
// replay window, then forgotten (the stored conversation has the answer).
// This file holds the interface and the in-process backend; deps.ts picks the backend.

export interface LoggedEvent {
  /** 1 for the first frame. */
  id: number;
  frame: string;
}

export interface EventLog {
  /** Starts the log of a new answer, owned by `owner` (whose user may read it). */
  open(streamId: string, owner: string | null): Promise<void>;
  append(streamId: string, frame: string): Promise<void>;
  /** The answer is over: readers get what is left, then the end; the log expires after the replay window. */
  end(streamId: string): Promise<void>;
  /** The owner of a live or replayable log; undefined when there is none (unknown or expired). */
  owner(streamId: string): Promise<string | null | undefined>;
  /** The frames after event `after`, then the live ones until the end. */
  read(streamId: string, after: number): AsyncGenerator<LoggedEvent>;
}

interface Entry {
  owner: string | null;
  frames: string[];
  ended: boolean;
  wake: Set<() => void>;
}

export function memoryEventLog(opts: { replayMs: number }): EventLog {
  const entries = new Map<string, Entry>();
  const wakeAll = (entry: Entry) => {
    const waiting = [...entry.wake];
    entry.wake.clear();
    for (const wake of waiting) wake();
  };
  return {
    async open(streamId, owner) {
      entries.set(streamId, { owner, frames: [], ended: false, wake: new Set() });
    },
    async append(streamId, frame) {
      const entry = entries.get(streamId);
      if (!entry || entry.ended) return;
      entry.frames.push(frame);
      wakeAll(entry);
    },
    async end(streamId) {
      const entry = entries.get(streamId);
      if (!entry || entry.ended) return;
      entry.ended = true;
      wakeAll(entry);
      setTimeout(() => entries.delete(streamId), opts.replayMs).unref();
    },
    async owner(streamId) {
      const entry = entries.get(streamId);
      return entry ? entry.owner : undefined;
    },
    async *read(streamId, after) {
      const entry = entries.get(streamId);
      if (!entry) return;
      let next = after;
      for (;;) {
        while (next < entry.frames.length) {
          next += 1;
          yield { id: next, frame: entry.frames[next - 1]! };
        }
        if (entry.ended) return;
        await new Promise<void>((resolve) => entry.wake.add(resolve));
      }
    },
  };
}
