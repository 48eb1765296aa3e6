// max_input_length: characters in any one message the client writes (documents added by the
// server are bounded by documents.max_chars instead).
import { badRequest } from "../errors.ts";
import { textOf, type ChatMessage } from "./messages.ts";

export function assertInputLength(messages: ChatMessage[], max: number, singleField: string | null = null): void {
  messages.forEach((m, i) => {
    const length = textOf(m.content).length;
    if (length > max) {
      const param = singleField ?? `messages[${i}].content`;
      throw badRequest(
        `The message in '${param}' is ${length.toLocaleString("en-US")} characters; the limit is ${max.toLocaleString("en-US")} (max_input_length).`,
        param,
        "input_too_long",
      );
    }
  });
}
