// The Responses API's own design for answers that outlive their connection, over the same event
// logs as /chat streams (the log's id is the response id; event N is sequence_number N-1):
// `GET /v1/responses/{id}?stream=true&starting_after=N` resumes the event stream, a response still
// being generated (a background one, or a stream whose client left) is shown `in_progress`, and
// `POST /v1/responses/{id}/cancel` stops it and answers with the stored, cancelled response.
import type { AnswerStreams } from "../chat/answer-streams.ts";
import { badRequest, notFound } from "../errors.ts";
import { idFrames } from "./sse.ts";

/** A response in the log and visible to `scope` (null: anyone's), else undefined. */
export async function liveOwner(streams: AnswerStreams, id: string, scope: string | null): Promise<string | null | undefined> {
  const owner = await streams.log.owner(id);
  if (owner === undefined || (scope !== null && owner !== scope)) return undefined;
  return owner;
}

export const responseNotFound = (id: string) => notFound(`No response found with id '${id}'.`, "response_not_found");

/** `starting_after` (a sequence number) as the log's event count to skip. */
export function eventsToSkip(startingAfter: string | undefined): number {
  if (startingAfter === undefined || startingAfter === "") return 0;
  if (!/^\d{1,15}$/.test(startingAfter))
    throw badRequest("starting_after must be a non-negative integer (a sequence_number).", "starting_after", "invalid_starting_after");
  return Number(startingAfter) + 1;
}

/** The response as its first event showed it, marked in progress. */
export async function inProgress(streams: AnswerStreams, id: string): Promise<Record<string, unknown> | null> {
  for await (const event of streams.log.read(id, 0)) {
    const data = JSON.parse(event.frame.slice(event.frame.indexOf("data: ") + 6)) as { response?: Record<string, unknown> };
    return data.response ? { ...data.response, status: "in_progress" } : null;
  }
  return null;
}

/** Stops a generation running here and waits until its log has ended (its turn is then stored). */
export async function cancelAndSettle(streams: AnswerStreams, id: string): Promise<void> {
  if (!(await streams.cancel(id))) return;
  for await (const _event of streams.log.read(id, 0)); // to the end
}

export { idFrames };
