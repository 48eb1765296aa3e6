// Small building blocks the resource schemas share: nullable fields, timestamps, list envelopes.
import { t, type TSchema } from "elysia";

export const Nullable = <T extends TSchema>(schema: T, description?: string) => t.Union([schema, t.Null()], description ? { description } : {});

export const Timestamp = (description?: string) => t.String({ description: description ?? "ISO 8601 time, UTC", examples: ["2026-11-30T09:15:00.000Z"] });

/** An `{object: "list", data: [...]}` envelope, as OpenAI lists are. */
export const ListOf = <T extends TSchema>(item: T, extra: Record<string, TSchema> = {}) =>
  t.Object({ object: t.Literal("list"), data: t.Array(item), ...extra }, { additionalProperties: false });

/** The id of a stored record in a path. */
export const IdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 255 }) });
