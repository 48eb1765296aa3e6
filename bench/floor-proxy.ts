// The benchmark's floor: the thinnest Bun gateway there is. It forwards each request to the
// upstream with one fetch and hands the answer (whole or streamed) straight back — no parsing,
// no storage, no logging. Every TextLLM figure in bench/results.md is reported beside this one,
// measured in the same run, so results from a busy machine still compare. Prints its port.
const upstream = process.env.UPSTREAM_URL;
if (!upstream) throw new Error("UPSTREAM_URL is required");

const proxy = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const path = new URL(request.url).pathname.replace(/^\/v1/, "");
    const answer = await fetch(`${upstream}${path}`, {
      method: request.method,
      headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
      body: request.method === "GET" ? undefined : await request.arrayBuffer(),
    });
    return new Response(answer.body, { status: answer.status, headers: { "content-type": answer.headers.get("content-type") ?? "application/json" } });
  },
});
console.log(`FLOOR_PORT=${proxy.port}`);
export {};
