// The console talks to the public HTTP API only, as any client does: the key from session storage
// goes in the Authorization header (never in a URL), errors come back as OpenAI-style bodies.

export interface Auth {
  /** Null on an open server. */
  key: string | null;
  kind: "open" | "user" | "admin";
  /** The user the console acts for. */
  userId: string;
}

const STORAGE_KEY = "textllm.console.auth";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
  ) {
    super(message);
  }
}

let auth: Auth | null = null;

export function currentAuth(): Auth | null {
  if (auth) return auth;
  const stored = sessionStorage.getItem(STORAGE_KEY);
  auth = stored ? (JSON.parse(stored) as Auth) : null;
  return auth;
}

export function signOut(): void {
  auth = null;
  sessionStorage.removeItem(STORAGE_KEY);
}

/** Checks the key with GET /me and remembers who it belongs to. */
export async function signIn(key: string, userId: string): Promise<Auth> {
  const res = await fetch("/me", { headers: key ? { authorization: `Bearer ${key}` } : {} });
  if (!res.ok) throw await errorOf(res);
  const me = (await res.json()) as { kind: Auth["kind"]; user_id: string | null };
  const acting = me.user_id ?? userId.trim();
  if (!acting) throw new ApiError(me.kind === "admin" ? "Name the user to act for." : "This server is open: enter a user id.", 400, null);
  auth = { key: key || null, kind: me.kind, userId: acting };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(auth));
  return auth;
}

async function errorOf(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  let code: string | null = null;
  try {
    const body = (await res.json()) as { error?: { message?: string; code?: string | null } };
    if (body.error?.message) message = body.error.message;
    code = body.error?.code ?? null;
  } catch {
    // not a JSON body
  }
  return new ApiError(message, res.status, code);
}

/** A raw response; non-2xx answers throw an ApiError (a 401 signs out). */
export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const key = currentAuth()?.key;
  if (key) headers.set("authorization", `Bearer ${key}`);
  const res = await fetch(path, { ...init, headers });
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401) {
      signOut();
      location.hash = "#/signin";
    }
    throw err;
  }
  return res;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await request(path)).json()) as T;
}

export async function sendJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  return (await (await request(path, init)).json()) as T;
}

/** Downloads a stored file with the key in a header, then hands it to the browser as a blob. */
export async function download(url: string, filename: string): Promise<void> {
  const blob = await (await request(url)).blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

export const enc = encodeURIComponent;
