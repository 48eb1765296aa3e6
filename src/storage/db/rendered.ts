// Rendering a drizzle `sql` template into SQL text and parameters costs more than running a small
// statement on SQLite. Each driver keeps what it rendered per query object, so a statement that is
// a module constant (with `sql.placeholder`s for its values) is rendered once and then only bound.
import { fillPlaceholders, type SQL } from "drizzle-orm";
import type { Values } from "./driver.ts";

interface Rendered {
  sql: string;
  params: unknown[];
}

export function renderCache<R extends Rendered>(render: (query: SQL) => R) {
  // Keyed by the query object: one-off queries are collected with it.
  const cache = new WeakMap<SQL, R>();
  return (query: SQL, values?: Values): { rendered: R; params: unknown[] } => {
    let rendered = cache.get(query);
    if (!rendered) {
      rendered = render(query);
      cache.set(query, rendered);
    }
    return { rendered, params: values ? fillPlaceholders(rendered.params, values as Record<string, unknown>) : rendered.params };
  };
}
