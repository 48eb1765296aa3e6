// The process metrics /metrics has always exposed (prom-client's default set, same names, help
// texts, order and values): CPU time, start time, memory from /proc, file descriptors, event-loop
// delay, active resources, the engine's heap, the runtime version and GC durations.
import { readdirSync, readFileSync } from "node:fs";
import { constants as perfConstants, monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { getHeapSpaceStatistics } from "node:v8";
import { Counter, Gauge, Histogram, type Registry } from "./prometheus.ts";

const START_SECONDS = Math.round(Date.now() / 1000 - process.uptime());
const GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5];

/** Registers the process metrics on `registry`, every name behind `prefix`. */
export function collectProcessMetrics(registry: Registry, prefix: string): void {
  const gauge = (name: string, help: string, options: { labelNames?: string[]; collect?: () => void } = {}) =>
    new Gauge({ registry, name: prefix + name, help, ...options });

  cpuTime(registry, prefix);
  const startTime = gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", {
    collect: () => startTime.set(START_SECONDS),
  });
  memory(gauge);
  fileDescriptors(gauge);
  eventLoopLag(gauge);
  activeCounts(gauge);
  engineHeap(gauge);
  const version = process.version;
  const [major, minor, patch] = version.slice(1).split(".").map(Number);
  const versionInfo = gauge("nodejs_version_info", "Node.js version info.", {
    labelNames: ["version", "major", "minor", "patch"],
    collect: () => versionInfo.set({ version, major: major ?? 0, minor: minor ?? 0, patch: patch ?? 0 }, 1),
  });
  gcDurations(registry, prefix);
}

type MakeGauge = (name: string, help: string, options?: { labelNames?: string[]; collect?: () => void }) => Gauge;

/** CPU seconds since these metrics were created, as prom-client counted them. */
function cpuTime(registry: Registry, prefix: string): void {
  let last = process.cpuUsage();
  const user = new Counter({
    registry,
    name: `${prefix}process_cpu_user_seconds_total`,
    help: "Total user CPU time spent in seconds.",
    collect: () => {
      const now = process.cpuUsage();
      const userMicros = now.user - last.user;
      const systemMicros = now.system - last.system;
      last = now;
      user.inc(userMicros / 1e6);
      system.inc(systemMicros / 1e6);
      total.inc((userMicros + systemMicros) / 1e6);
    },
  });
  const system = new Counter({ registry, name: `${prefix}process_cpu_system_seconds_total`, help: "Total system CPU time spent in seconds." });
  const total = new Counter({ registry, name: `${prefix}process_cpu_seconds_total`, help: "Total user and system CPU time spent in seconds." });
}

function memory(gauge: MakeGauge): void {
  if (process.platform !== "linux") {
    const rss = gauge("process_resident_memory_bytes", "Resident memory size in bytes.", { collect: () => rss.set(process.memoryUsage().rss) });
    return;
  }
  const resident = gauge("process_resident_memory_bytes", "Resident memory size in bytes.", {
    collect: () => {
      try {
        const status = readFileSync("/proc/self/status", "utf8");
        const kb = (field: string) => Number(new RegExp(`^${field}:\\s*(\\d+)`, "m").exec(status)?.[1]) * 1024;
        resident.set(kb("VmRSS"));
        virtual.set(kb("VmSize"));
        heap.set(kb("VmData"));
      } catch {
        // /proc unreadable: keep the last values
      }
    },
  });
  const virtual = gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.");
  const heap = gauge("process_heap_bytes", "Process heap size in bytes.");
}

function fileDescriptors(gauge: MakeGauge): void {
  if (process.platform !== "linux") return;
  const open = gauge("process_open_fds", "Number of open file descriptors.", {
    collect: () => {
      try {
        open.set(readdirSync("/proc/self/fd").length - 1); // less the one readdirSync used
      } catch {
        // no /proc
      }
    },
  });
  let max: number | undefined;
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    if (line) max = Number(line.split(/ {2,}/)[1]);
  } catch {
    return;
  }
  if (max === undefined) return;
  const maxFds = max;
  const maxGauge = gauge("process_max_fds", "Maximum number of open file descriptors.", { collect: () => maxGauge.set(maxFds) });
}

/** The lag is measured by a setImmediate after each scrape and reported at the next one. */
function eventLoopLag(gauge: MakeGauge): void {
  const delays = monitorEventLoopDelay({ resolution: 10 });
  delays.enable();
  const lag = gauge("nodejs_eventloop_lag_seconds", "Lag of event loop in seconds.", {
    collect: () => {
      const start = process.hrtime();
      setImmediate(() => {
        const [seconds, nanos] = process.hrtime(start);
        lag.set((seconds * 1e9 + nanos) / 1e9);
      });
      min.set(delays.min / 1e9);
      max.set(delays.max / 1e9);
      mean.set(delays.mean / 1e9);
      stddev.set(delays.stddev / 1e9);
      p50.set(delays.percentile(50) / 1e9);
      p90.set(delays.percentile(90) / 1e9);
      p99.set(delays.percentile(99) / 1e9);
      delays.reset();
    },
  });
  const min = gauge("nodejs_eventloop_lag_min_seconds", "The minimum recorded event loop delay.");
  const max = gauge("nodejs_eventloop_lag_max_seconds", "The maximum recorded event loop delay.");
  const mean = gauge("nodejs_eventloop_lag_mean_seconds", "The mean of the recorded event loop delays.");
  const stddev = gauge("nodejs_eventloop_lag_stddev_seconds", "The standard deviation of the recorded event loop delays.");
  const p50 = gauge("nodejs_eventloop_lag_p50_seconds", "The 50th percentile of the recorded event loop delays.");
  const p90 = gauge("nodejs_eventloop_lag_p90_seconds", "The 90th percentile of the recorded event loop delays.");
  const p99 = gauge("nodejs_eventloop_lag_p99_seconds", "The 99th percentile of the recorded event loop delays.");
}

type Internals = { _getActiveHandles?: () => object[]; _getActiveRequests?: () => object[] };

/** Active resources, handles and requests: by type, and their totals. */
function activeCounts(gauge: MakeGauge): void {
  const internals = process as unknown as Internals;
  const byType = (name: string, help: string, totalHelp: string, types: () => string[]) => {
    const each = gauge(name, help, {
      labelNames: ["type"],
      collect: () => {
        each.reset();
        const counts = new Map<string, number>();
        for (const type of types()) counts.set(type, (counts.get(type) ?? 0) + 1);
        for (const [type, n] of counts) each.set({ type }, n);
      },
    });
    const total = gauge(`${name}_total`, totalHelp, { collect: () => total.set(types().length) });
  };
  const constructorNames = (list: object[]) => list.filter((o) => o && o.constructor !== undefined).map((o) => o.constructor.name);
  if (typeof process.getActiveResourcesInfo === "function") {
    byType(
      "nodejs_active_resources",
      "Number of active resources that are currently keeping the event loop alive, grouped by async resource type.",
      "Total number of active resources.",
      () => process.getActiveResourcesInfo(),
    );
  }
  // Node's handles and requests: by the class of each object.
  for (const kind of ["handles", "requests"] as const) {
    const list = kind === "handles" ? internals._getActiveHandles : internals._getActiveRequests;
    if (typeof list !== "function") continue;
    const what = kind === "handles" ? "handle" : "request";
    byType(
      `nodejs_active_${kind}`,
      `Number of active libuv ${kind} grouped by ${what} type. Every ${what} type is C++ class name.`,
      `Total number of active ${kind}.`,
      () => constructorNames(list.call(process)),
    );
  }
}

function engineHeap(gauge: MakeGauge): void {
  const total = gauge("nodejs_heap_size_total_bytes", "Process heap size from Node.js in bytes.", {
    collect: () => {
      const usage = process.memoryUsage();
      total.set(usage.heapTotal);
      used.set(usage.heapUsed);
      if (usage.external !== undefined) external.set(usage.external);
    },
  });
  const used = gauge("nodejs_heap_size_used_bytes", "Process heap size used from Node.js in bytes.");
  const external = gauge("nodejs_external_memory_bytes", "Node.js external memory size in bytes.");

  const spaces = (kind: string) =>
    gauge(`nodejs_heap_space_size_${kind}_bytes`, `Process heap space size ${kind} from Node.js in bytes.`, { labelNames: ["space"] });
  const [spaceTotal, spaceUsed, spaceAvailable] = [spaces("total"), spaces("used"), spaces("available")] as [Gauge, Gauge, Gauge];
  spaceTotal.collect = () => {
    for (const space of getHeapSpaceStatistics()) {
      const name = space.space_name.substring(0, space.space_name.indexOf("_space"));
      spaceTotal.set({ space: name }, space.space_size);
      spaceUsed.set({ space: name }, space.space_used_size);
      spaceAvailable.set({ space: name }, space.space_available_size);
    }
  };
}

function gcDurations(registry: Registry, prefix: string): void {
  const kinds: string[] = [];
  kinds[perfConstants.NODE_PERFORMANCE_GC_MAJOR] = "major";
  kinds[perfConstants.NODE_PERFORMANCE_GC_MINOR] = "minor";
  kinds[perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL] = "incremental";
  kinds[perfConstants.NODE_PERFORMANCE_GC_WEAKCB] = "weakcb";
  const durations = new Histogram({
    registry,
    name: `${prefix}nodejs_gc_duration_seconds`,
    help: "Garbage collection duration by kind, one of major, minor, incremental or weakcb.",
    labelNames: ["kind"],
    buckets: GC_BUCKETS,
  });
  const observer = new PerformanceObserver((list) => {
    const entry = list.getEntries()[0] as (PerformanceEntry & { detail?: { kind?: number }; kind?: number }) | undefined;
    if (!entry) return;
    const kind = kinds[(entry.detail ? entry.detail.kind : entry.kind) ?? -1];
    durations.observe({ kind: kind as string }, entry.duration / 1000);
  });
  observer.observe({ entryTypes: ["gc"] });
}
