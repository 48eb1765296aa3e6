// A stacked bar chart in SVG, one bar per day, one colour per series (model or user), with a
// legend. Each bar carries its day and total as data attributes and a tooltip; the numbers also
// appear in the table drawn beside every chart.
import { h } from "./dom.ts";

export interface Series {
  name: string;
  values: number[];
}

const SVG = "http://www.w3.org/2000/svg";
export const PALETTE = ["#2563eb", "#db2777", "#16a34a", "#ea580c", "#7c3aed", "#0891b2", "#ca8a04", "#64748b"];
const [WIDTH, HEIGHT, LEFT, RIGHT, BOTTOM, TOP] = [720, 240, 84, 16, 28, 12];

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

export function stackedBars(opts: { label: string; days: string[]; series: Series[]; format: (n: number) => string }): HTMLElement {
  const { days, series, format } = opts;
  const totals = days.map((_, i) => series.reduce((n, s) => n + (s.values[i] ?? 0), 0));
  const max = Math.max(...totals, 0) || 1;
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": opts.label, class: "chart" });
  const plotH = HEIGHT - BOTTOM - TOP;
  const slot = (WIDTH - LEFT - RIGHT) / Math.max(days.length, 1);
  for (const fraction of [0, 0.5, 1]) {
    const y = TOP + plotH * (1 - fraction);
    chart.append(svg("line", { x1: LEFT, x2: WIDTH - RIGHT, y1: y, y2: y, class: "grid" }));
    chart.append(svg("text", { x: LEFT - 6, y: y + 4, "text-anchor": "end", class: "axis" }, format(max * fraction)));
  }
  days.forEach((day, i) => {
    const group = svg("g", { "data-day": day, "data-total": totals[i]! });
    group.append(svg("title", {}, `${day}: ${format(totals[i]!)}`));
    let y = TOP + plotH;
    series.forEach((s, k) => {
      const value = s.values[i] ?? 0;
      if (!value) return;
      const height = (value / max) * plotH;
      y -= height;
      group.append(svg("rect", { x: LEFT + i * slot + slot * 0.15, y, width: slot * 0.7, height: Math.max(height, 0.5), fill: PALETTE[k % PALETTE.length]! }));
    });
    chart.append(group);
    if (i % 5 === 0 || i === days.length - 1) {
      chart.append(svg("text", { x: LEFT + i * slot + slot / 2, y: HEIGHT - 8, "text-anchor": "middle", class: "axis" }, day.slice(5)));
    }
  });
  const legend = h(
    "ul",
    { class: "legend" },
    series.map((s, k) => {
      const swatch = h("span", { class: "swatch" });
      swatch.style.background = PALETTE[k % PALETTE.length]!; // CSSOM, allowed by the page's CSP
      return h("li", {}, swatch, s.name);
    }),
  );
  const figure = h("figure", { class: "chart-box" }, h("figcaption", {}, opts.label), legend);
  figure.insertBefore(chart, legend);
  return figure;
}
