// A summary of a CPU profile (.cpuprofile, as `bun --cpu-prof` writes it): self time by package or file,
// by function, and inclusive time by function, each as a share of all samples.
// Usage: bun bench/profile-summary.ts <file.cpuprofile> [topN] [noincl]
const prof = JSON.parse(await Bun.file(process.argv[2]!).text());
const top = Number(process.argv[3] ?? 40);
type N = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] };
const nodes = new Map<number, N>(prof.nodes.map((n: N) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of nodes.values()) for (const c of n.children ?? []) parent.set(c, n.id);
// sample counts per node from samples array
const hits = new Map<number, number>();
for (const s of prof.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
const total = prof.samples.length;
const ROOT = `file://${import.meta.dir.replace(/\/bench$/, "")}/`;
const short = (u: string) => u.replace(/^.*node_modules\//, "nm:").replace(ROOT, "");
const key = (n: N) => `${n.callFrame.functionName || "(anon)"} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const self = new Map<string, number>();
const incl = new Map<string, number>();
const pkgSelf = new Map<string, number>();
for (const [id, h] of hits) {
  const n = nodes.get(id)!;
  self.set(key(n), (self.get(key(n)) ?? 0) + h);
  const u = short(n.callFrame.url);
  const pkg = u.startsWith("nm:")
    ? u
        .split("/")
        .slice(0, u.startsWith("nm:@") ? 2 : 1)
        .join("/")
    : u.startsWith("src/")
      ? u.split("/").slice(0, 2).join("/")
      : u || n.callFrame.functionName;
  pkgSelf.set(pkg, (pkgSelf.get(pkg) ?? 0) + h);
  const seen = new Set<string>();
  let cur: number | undefined = id;
  while (cur !== undefined) {
    const k = key(nodes.get(cur)!);
    if (!seen.has(k)) {
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + h);
    }
    cur = parent.get(cur);
  }
}
const show = (m: Map<string, number>, title: string, n = top) => {
  console.log(`\n== ${title} (total ${total} samples)`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
};
show(pkgSelf, "self by package/file", 30);
show(self, "self by function");
if (process.argv[4] !== "noincl") show(incl, "inclusive by function", 80);
