// URLs safe to show (logs, GET /config): the password and secret-looking query parameters masked.
/** postgres://user:secret@host/db → postgres://user:***@host/db */
export function redactUrl(url: string): string {
  if (!url) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    for (const key of [...u.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(key)) u.searchParams.set(key, "***");
    }
    return u.toString();
  } catch {
    return "[unparseable url]";
  }
}
