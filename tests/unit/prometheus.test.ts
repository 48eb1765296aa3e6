// Our Prometheus registry writes the text prom-client wrote (it replaced prom-client to save the
// server ~14 MB): the same operations on both give the same lines, process metrics included (their
// names, help, types and label sets; their values are the process's own and differ between reads).
import { expect, test } from "bun:test";
import * as prom from "prom-client";
import { createMetrics } from "../../src/observability/metrics.ts";
import { Counter, Gauge, Histogram, Registry } from "../../src/observability/prometheus.ts";

const BUCKETS = [0.001, 0.01, 0.1, 1];

/** Feeds one set of operations to either implementation's classes. */
function exercise(make: {
  counter: (name: string, labelNames: string[]) => { inc: (...a: never[]) => void };
  gauge: (name: string) => { inc: () => void; dec: () => void; set: (v: number) => void };
  histogram: (name: string, labelNames: string[]) => { observe: (...a: never[]) => void };
}) {
  const requests = make.counter("t_requests_total", ["route", "method", "status"]) as { inc: (l: object, v?: number) => void };
  const plain = make.counter("t_refusals_total", []) as unknown as { inc: (v?: number) => void };
  const streams = make.gauge("t_active");
  const seconds = make.histogram("t_seconds", ["route", "method"]) as { observe: (l: object, v: number) => void };
  make.histogram("t_unused_seconds", ["kind"]);
  const bare = make.histogram("t_bare_seconds", []) as unknown as { observe: (v: number) => void };
  requests.inc({ route: "/chat", method: "POST", status: "200" });
  requests.inc({ route: "/chat", method: "POST", status: "200" }, 2);
  requests.inc({ method: "GET", route: '/a"b\\c\nd', status: "404" }); // other key order, escapes
  plain.inc();
  plain.inc(0.25);
  streams.inc();
  streams.inc();
  streams.dec();
  for (const v of [0.0005, 0.001, 0.05, 0.7, 3, 0.1]) seconds.observe({ route: "/chat", method: "POST" }, v);
  seconds.observe({ route: "/x", method: "GET" }, 0.002);
  bare.observe(0.5);
}

test("counters, gauges and histograms print as prom-client printed them", async () => {
  const theirs = new prom.Registry();
  const ours = new Registry();
  exercise({
    counter: (name, labelNames) => new prom.Counter({ name, help: `help of ${name}`, labelNames, registers: [theirs] }),
    gauge: (name) => new prom.Gauge({ name, help: `help of ${name}\nwith a line`, registers: [theirs] }),
    histogram: (name, labelNames) => new prom.Histogram({ name, help: `help of ${name}`, labelNames, buckets: BUCKETS, registers: [theirs] }),
  });
  exercise({
    counter: (name, labelNames) => new Counter({ name, help: `help of ${name}`, labelNames, registry: ours }),
    gauge: (name) => new Gauge({ name, help: `help of ${name}\nwith a line`, registry: ours }),
    histogram: (name, labelNames) => new Histogram({ name, help: `help of ${name}`, labelNames, buckets: BUCKETS, registry: ours }),
  });
  expect(await ours.metrics()).toBe(await theirs.metrics());
  expect(ours.contentType).toBe(theirs.contentType);
});

test("a counter's values read back as prom-client's get() gave them", async () => {
  const counter = new Counter({ name: "t_total", help: "h", labelNames: ["route"] });
  counter.inc({ route: "/a" }, 3);
  expect((await counter.get()).values).toEqual([{ labels: { route: "/a" }, value: 3 }]);
});

test("a label outside the declared names and a decreasing counter are refused", () => {
  const counter = new Counter({ name: "t_total", help: "h", labelNames: ["route"] });
  expect(() => counter.inc({ route: "/a", user: "u" } as never)).toThrow();
  expect(() => counter.inc({ route: "/a" }, -1)).toThrow();
});

/** A metrics text with every sample's value replaced (process values change between two reads), and
 * without the active resources by type (timers come and go). */
const shape = (text: string) => text.replace(/^[^#\n]*_active_\w+\{type=.*\n/gm, "").replace(/^([^#\n][^ \n]*) .*$/gm, "$1 <value>");

test("the server's /metrics text has prom-client's shape, process metrics included", async () => {
  const theirs = new prom.Registry();
  prom.collectDefaultMetrics({ register: theirs, prefix: "textllm_" });
  const ours = createMetrics({ models: ["m"], providers: ["p"] });
  const ourText = await ours.registry.metrics();
  const processPart = ourText.slice(0, ourText.indexOf("# HELP textllm_http_requests_total"));
  expect(shape(processPart)).toBe(shape(await theirs.metrics()).replace(/\n$/, "\n\n"));
});
