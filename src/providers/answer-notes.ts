// Which model and provider answered each request, from the pipeline (which knows the request id)
// to the HTTP layer (which sets the x-textllm-model / x-textllm-provider headers). A note is taken
// when the answer goes out and dropped when the request ends, so the map holds only requests in flight.

export interface AnswerNote {
  model: string;
  provider: string;
}

export interface AnswerNotes {
  note(requestId: string, answer: AnswerNote): void;
  peek(requestId: string): AnswerNote | undefined;
  drop(requestId: string): void;
}

export function answerNotes(): AnswerNotes {
  const notes = new Map<string, AnswerNote>();
  return {
    note: (requestId, answer) => void notes.set(requestId, answer),
    peek: (requestId) => notes.get(requestId),
    drop: (requestId) => void notes.delete(requestId),
  };
}
