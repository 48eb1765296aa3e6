// The deadline fetch the SDK is given: the deadline rides in the SDK's fetchOptions (a symbol key,
// never on the wire), the SDK's own request goes out untouched, and a failure whose next wait
// would end past the deadline is marked not to be retried.
import { expect, test } from "bun:test";
import { deadlineFetch, withDeadline } from "../../src/providers/retry-deadline.ts";

function recording(answer: () => Response) {
  const seen: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetch = (async (url: string, init?: RequestInit) => {
    seen.push({ url, init });
    return answer();
  }) as unknown as typeof globalThis.fetch;
  return { seen, fetch };
}

const sdkInit = (retries: number, deadline: number): RequestInit => ({
  method: "POST",
  headers: new Headers({ "content-type": "application/json", "x-stainless-retry-count": String(retries) }),
  body: "{}",
  ...withDeadline(deadline),
});

test("the SDK's request goes to fetch as it is, and no deadline header is sent", async () => {
  const upstream = recording(() => new Response("{}", { status: 200 }));
  const init = sdkInit(0, Date.now() + 60_000);
  await deadlineFetch({ fetch: upstream.fetch })("http://upstream/v1/chat/completions", init);
  expect(upstream.seen[0]!.init).toBe(init);
  expect([...(upstream.seen[0]!.init!.headers as Headers).keys()]).toEqual(["content-type", "x-stainless-retry-count"]);
});

test.each([
  ["a wait past the deadline is not retried", "30", "false"],
  ["a wait within the deadline is left to the SDK", "1", null],
])("%s", async (_name, retryAfter, shouldRetry) => {
  const upstream = recording(() => new Response("slow down", { status: 429, headers: { "retry-after": retryAfter } }));
  const response = await deadlineFetch({ fetch: upstream.fetch })("http://upstream/x", sdkInit(0, Date.now() + 5_000));
  expect(response.status).toBe(429);
  expect(response.headers.get("retry-after")).toBe(retryAfter);
  expect(response.headers.get("x-should-retry")).toBe(shouldRetry);
});

test("retries are counted from the SDK's attempt number", async () => {
  let retries = 0;
  const upstream = recording(() => new Response("{}", { status: 200 }));
  const fetch = deadlineFetch({ fetch: upstream.fetch, onRetry: () => retries++ });
  await fetch("http://upstream/x", sdkInit(0, Date.now() + 5_000));
  await fetch("http://upstream/x", sdkInit(1, Date.now() + 5_000));
  await fetch("http://upstream/x", sdkInit(2, Date.now() + 5_000));
  expect(retries).toBe(2);
});
