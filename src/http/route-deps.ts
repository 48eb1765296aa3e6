// The one shape every route factory takes: the services deps.ts built, plus the HTTP-level pieces
// app.ts adds (the auth plugin, the route list). Routes read what they need from it and never
// decide anything about backends themselves.
import type { AnswerStreams } from "../chat/answer-streams.ts";
import type { ChatContext } from "../chat/chat-context.ts";
import type { ConversationService } from "../conversations/service.ts";
import type { RequestTracker } from "../observability/request-tracker.ts";
import type { SessionService } from "../sessions/service.ts";
import type { AuthPlugin } from "./auth.ts";
import type { HealthSources } from "./routes/health.ts";

export interface RouteEntry {
  method: string;
  path: string;
}

export interface RouteDeps extends ChatContext, HealthSources {
  auth: AuthPlugin;
  tracker: RequestTracker;
  conversations: ConversationService;
  sessions: SessionService;
  streams: AnswerStreams;
  /** Every route the app serves, for GET /. */
  listRoutes: () => RouteEntry[];
}
