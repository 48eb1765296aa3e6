// A small Prometheus registry: counters, gauges and histograms written in the text exposition
// format (0.0.4). It replaces prom-client, whose import alone cost the compiled server ~14 MB of
// resident memory for the dozen series we expose. The text it writes is prom-client's, line for
// line: `# HELP` and `# TYPE` per family, families in registration order separated by a blank
// line, a series' labels in the order of the first label object it was counted with, histogram
// buckets cumulative with `le` first, then `+Inf`, `_sum` and `_count`.

export type LabelValues = Record<string, string | number>;

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "histogram";
  /** Runs just before the family is written (process metrics read their values here). */
  collect?: () => void;
  lines(out: string[]): void;
}

interface Options {
  name: string;
  help: string;
  labelNames?: readonly string[];
  registry?: Registry;
  collect?: () => void;
}

export class Registry {
  readonly contentType = PROMETHEUS_CONTENT_TYPE;
  private readonly families: Family[] = [];

  register(family: Family): void {
    if (this.families.some((f) => f.name === family.name)) throw new Error(`A metric with the name ${family.name} has already been registered.`);
    this.families.push(family);
  }

  /** Every family's collector first, in order, then the text (as prom-client: all collect, then all print). */
  async metrics(): Promise<string> {
    for (const family of this.families) family.collect?.();
    return `${this.families.map((family) => familyText(family)).join("\n\n")}\n`;
  }
}

function familyText(family: Family): string {
  const name = escapeText(family.name);
  const out = [`# HELP ${name} ${escapeText(family.help)}`, `# TYPE ${name} ${family.type}`];
  family.lines(out);
  return out.join("\n");
}

function escapeText(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function labelPairs(labels: LabelValues): string {
  let text = "";
  for (const name in labels) {
    const value = labels[name];
    if (text) text += ",";
    text += `${name}="${typeof value === "string" ? escapeText(value).replace(/"/g, '\\"') : value}"`;
  }
  return text;
}

function valueText(value: number): string {
  if (Number.isNaN(value)) return "Nan";
  if (!Number.isFinite(value)) return value < 0 ? "-Inf" : "+Inf";
  return `${value}`;
}

/** Series by label values, keyed in the declared label order; a new series checks its label names once. */
abstract class Metric<S extends { labels: LabelValues }> implements Family {
  abstract readonly type: "counter" | "gauge" | "histogram";
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  collect?: () => void;
  protected series = new Map<string, S>();

  constructor(options: Options) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
    this.collect = options.collect;
    options.registry?.register(this);
    this.reset();
  }

  /** Forgets every series; one without labels starts again at zero. */
  reset(): void {
    this.series = new Map();
    if (this.labelNames.length === 0) this.series.set("", this.create({}));
  }

  protected abstract create(labels: LabelValues): S;
  abstract lines(out: string[]): void;

  protected at(labels: LabelValues | undefined): S {
    const key = labels ? this.key(labels) : "";
    let found = this.series.get(key);
    if (!found) {
      for (const name in labels) {
        if (!this.labelNames.includes(name)) throw new Error(`Added label "${name}" is not included in initial labelset: [ ${this.labelNames.join(", ")} ]`);
      }
      found = this.create(labels ? { ...labels } : {});
      this.series.set(key, found);
    }
    return found;
  }

  private key(labels: LabelValues): string {
    const names = this.labelNames;
    if (names.length === 1) return String(labels[names[0] as string] ?? "");
    let key = "";
    for (const name of names) key += `${labels[name] ?? ""}\u0001`;
    return key;
  }

  protected labelsFrom(values: Array<string | number>): LabelValues {
    if (values.length !== this.labelNames.length) throw new Error(`Invalid number of arguments (${values.length}) for label names (${this.labelNames.length})`);
    const labels: LabelValues = {};
    this.labelNames.forEach((name, i) => {
      labels[name] = values[i] as string | number;
    });
    return labels;
  }
}

interface ValueSeries {
  labels: LabelValues;
  value: number;
}

function valueLines(name: string, series: Iterable<ValueSeries>, out: string[]): void {
  for (const s of series) {
    const pairs = labelPairs(s.labels);
    out.push(`${name}${pairs ? `{${pairs}}` : ""} ${valueText(s.value)}`);
  }
}

/** A metric of one number per series: counters and gauges. */
abstract class ValueMetric extends Metric<ValueSeries> {
  protected create(labels: LabelValues): ValueSeries {
    return { labels, value: 0 };
  }

  /** The series as prom-client's `get()` gave them (tests read a counter's values this way). */
  async get() {
    this.collect?.();
    const values = [...this.series.values()].map((s) => ({ labels: s.labels, value: s.value }));
    return { name: this.name, help: this.help, type: this.type, values };
  }

  lines(out: string[]): void {
    valueLines(this.name, this.series.values(), out);
  }
}

export class Counter extends ValueMetric {
  readonly type = "counter";

  inc(labels?: LabelValues | number, value?: number): void {
    if (typeof labels === "number" || labels === undefined) this.add(undefined, labels);
    else this.add(labels, value);
  }

  labels(...values: Array<string | number>) {
    const labels = this.labelsFrom(values);
    return { inc: (value?: number) => this.add(labels, value) };
  }

  private add(labels: LabelValues | undefined, value = 1): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    if (value < 0) throw new Error("It is not possible to decrease a counter");
    this.at(labels).value += value;
  }
}

export class Gauge extends ValueMetric {
  readonly type = "gauge";

  set(labels: LabelValues | number, value?: number): void {
    if (typeof labels === "number") this.at(undefined).value = labels;
    else this.at(labels).value = value ?? 0;
  }

  inc(labels?: LabelValues | number, value?: number): void {
    if (typeof labels === "number" || labels === undefined) this.at(undefined).value += labels ?? 1;
    else this.at(labels).value += value ?? 1;
  }

  dec(labels?: LabelValues | number, value?: number): void {
    if (typeof labels === "number" || labels === undefined) this.at(undefined).value -= labels ?? 1;
    else this.at(labels).value -= value ?? 1;
  }

  labels(...values: Array<string | number>) {
    const labels = this.labelsFrom(values);
    return {
      set: (value: number) => this.set(labels, value),
      inc: (value?: number) => this.inc(labels, value),
      dec: (value?: number) => this.dec(labels, value),
    };
  }
}

interface HistogramSeries {
  labels: LabelValues;
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric<HistogramSeries> {
  readonly type = "histogram";
  readonly buckets: readonly number[];

  constructor(options: Options & { buckets: readonly number[] }) {
    super(options);
    this.buckets = options.buckets;
    this.reset(); // the base class reset before the buckets were known
  }

  protected create(labels: LabelValues): HistogramSeries {
    return { labels, counts: new Array((this.buckets?.length ?? 0) + 1).fill(0), sum: 0, count: 0 };
  }

  observe(labels: LabelValues | number, value?: number): void {
    if (typeof labels === "number") this.record(undefined, labels);
    else this.record(labels, value as number);
  }

  labels(...values: Array<string | number>) {
    const labels = this.labelsFrom(values);
    return { observe: (value: number) => this.record(labels, value) };
  }

  /** Starts a timer; calling the returned function observes the seconds since. */
  startTimer(labels?: LabelValues): () => number {
    const start = performance.now();
    return () => {
      const seconds = (performance.now() - start) / 1000;
      this.record(labels, seconds);
      return seconds;
    };
  }

  private record(labels: LabelValues | undefined, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const series = this.at(labels);
    const bounds = this.buckets;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    (series.counts[i] as number)++;
    series.sum += value;
    series.count++;
  }

  lines(out: string[]): void {
    const bucket = `${this.name}_bucket`;
    for (const s of this.series.values()) {
      const pairs = labelPairs(s.labels);
      const rest = pairs ? `,${pairs}` : "";
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += s.counts[i] as number;
        out.push(`${bucket}{le="${bound}"${rest}} ${cumulative}`);
      });
      out.push(`${bucket}{le="+Inf"${rest}} ${s.count}`);
      const braces = pairs ? `{${pairs}}` : "";
      out.push(`${this.name}_sum${braces} ${valueText(s.sum)}`, `${this.name}_count${braces} ${s.count}`);
    }
  }
}
