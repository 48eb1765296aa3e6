// Every response carries x-request-id: the client's own (when plain and short) or a new one.
import { Elysia } from "elysia";
import { acceptRequestId } from "../lib/ids.ts";

export const requestId = new Elysia({ name: "request-id" })
  .onRequest(({ request, set }) => {
    set.headers["x-request-id"] = acceptRequestId(request.headers.get("x-request-id"));
  })
  .derive({ as: "global" }, ({ set }) => ({ requestId: String(set.headers["x-request-id"]) }));
