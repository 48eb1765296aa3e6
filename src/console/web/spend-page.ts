// Spend: cost and tokens per day over the last 30 UTC days by model — and, for the admin, by user
// — each chart with the totals table behind it; today's figures; the rate-limit and budget
// settings. Numbers come from GET /users/{id}/stats/daily (everyone's: GET /stats/daily).
import { currentAuth, enc, getJson, type Auth } from "./api.ts";
import { stackedBars, type Series } from "./chart.ts";
import { errorLine, h, replace, usd } from "./dom.ts";

interface Day {
  day: string;
  user_id: string;
  model: string;
  requests: number;
  tokens_input: number;
  tokens_output: number;
  cost: number;
}

const DAYS = 30;
const tokens = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(0)}k` : String(Math.round(n)));

function dayList(since: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${since}T00:00:00Z`); out.length < DAYS; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

function grouped(rows: Day[], days: string[], by: "model" | "user_id", value: (d: Day) => number): Series[] {
  const names = [...new Set(rows.map((r) => r[by]))].sort();
  return names.map((name) => ({
    name,
    values: days.map((day) => rows.filter((r) => r.day === day && r[by] === name).reduce((n, r) => n + value(r), 0)),
  }));
}

function totalsTable(rows: Day[], by: "model" | "user_id"): HTMLElement {
  const names = [...new Set(rows.map((r) => r[by]))].sort();
  const sum = (list: Day[], key: "requests" | "tokens_input" | "tokens_output" | "cost") => list.reduce((n, r) => n + r[key], 0);
  const line = (label: string, list: Day[], cls?: string) =>
    h(
      "tr",
      { class: cls ?? null },
      h("td", {}, label),
      h("td", { class: "num" }, sum(list, "requests")),
      h("td", { class: "num" }, sum(list, "tokens_input")),
      h("td", { class: "num" }, sum(list, "tokens_output")),
      h("td", { class: "num" }, usd(sum(list, "cost"))),
    );
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "totals", "data-by": by },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          [by === "model" ? "Model" : "User", "Requests", "Tokens in", "Tokens out", "Cost"].map((c, i) => h("th", { class: i ? "num" : null }, c)),
        ),
      ),
      h(
        "tbody",
        {},
        names.map((name) =>
          line(
            name,
            rows.filter((r) => r[by] === name),
          ),
        ),
        line("Total", rows, "total"),
      ),
    ),
  );
}

function section(title: string, rows: Day[], days: string[], by: "model" | "user_id"): HTMLElement {
  const noun = by === "model" ? "model" : "user";
  return h(
    "section",
    { class: "spend-group", "data-by": by },
    h("h3", {}, title),
    h(
      "div",
      { class: "charts" },
      stackedBars({ label: `Cost per day by ${noun} (USD)`, days, series: grouped(rows, days, by, (r) => r.cost), format: usd }),
      stackedBars({ label: `Tokens per day by ${noun}`, days, series: grouped(rows, days, by, (r) => r.tokens_input + r.tokens_output), format: tokens }),
    ),
    totalsTable(rows, by),
  );
}

export async function spendPage(root: HTMLElement): Promise<void> {
  const auth = currentAuth() as Auth;
  const everyone = auth.kind === "admin";
  replace(root, h("p", { class: "muted" }, "Loading…"));
  try {
    const [series, { config }] = await Promise.all([
      getJson<{ since: string; data: Day[] }>(everyone ? `/stats/daily?days=${DAYS}` : `/users/${enc(auth.userId)}/stats/daily?days=${DAYS}`),
      getJson<{ config: Record<string, any> }>("/config"),
    ]);
    const days = dayList(series.since);
    const today = days.at(-1)!;
    const rows = series.data;
    const todayCost = rows.filter((r) => r.day === today).reduce((n, r) => n + r.cost, 0);
    const card = (label: string, value: string, id: string) =>
      h("div", { class: "card", "data-figure": id }, h("div", { class: "muted" }, label), h("strong", {}, value));
    const budget = Number(config.cost_limit_per_session ?? 0);
    replace(
      root,
      h(
        "section",
        { class: "spend" },
        h(
          "div",
          { class: "page-head" },
          h("h2", {}, everyone ? "Spend — all users" : `Spend — ${auth.userId}`),
          h("span", { class: "muted" }, `${days[0]} to ${today} (UTC)`),
        ),
        h(
          "div",
          { class: "cards" },
          card("Today", usd(todayCost), "today-cost"),
          card(`Last ${DAYS} days`, usd(rows.reduce((n, r) => n + r.cost, 0)), "period-cost"),
          card("Tokens", String(rows.reduce((n, r) => n + r.tokens_input + r.tokens_output, 0)), "period-tokens"),
          card("Requests", String(rows.reduce((n, r) => n + r.requests, 0)), "period-requests"),
        ),
        section("By model", rows, days, "model"),
        everyone ? section("By user", rows, days, "user_id") : null,
        h(
          "section",
          {},
          h("h3", {}, "Limits"),
          h(
            "dl",
            { class: "settings" },
            h("dt", {}, "Rate limit"),
            h(
              "dd",
              {},
              `${config.rate_limit_per_minute} requests per minute per user, bursts up to ${config.rate_limit_burst ?? config.rate_limit_per_minute} (${config.rate_limiter?.backend ?? "memory"})`,
            ),
            h("dt", {}, "Daily budget"),
            h("dd", {}, budget > 0 ? `${usd(budget)} per user per UTC day` : "none"),
            h("dt", {}, "Warning at"),
            h("dd", {}, Number(config.warn_at_cost) > 0 ? usd(Number(config.warn_at_cost)) : "off"),
          ),
        ),
      ),
    );
  } catch (err) {
    replace(root, errorLine((err as Error).message));
  }
}
