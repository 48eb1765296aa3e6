// Reads a whole server-sent-events response into the data payloads of its events, as an SSE client
// does: data lines joined with "\n", one optional space after "data:" removed.
export async function readSse(res: Response): Promise<string[]> {
  const text = await res.text();
  const out: string[] = [];
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).replace(/^ /, ""));
    if (data.length) out.push(data.join("\n"));
  }
  return out;
}
