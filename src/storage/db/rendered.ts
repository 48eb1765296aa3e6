// Rendering a drizzle `sql` template into SQL text and parameters costs more than running a small
// statement on SQLite. Each driver keeps what it rendered per query object, so a statement that is
// a module constant (with `sql.placeholder`s for its values) is rendered once and then only bound.
// A query built anew on every call (`sql` with the call's values) is rendered once per shape: the
// same template strings, nesting and kinds of values give the same text, whatever the values; a
// walk over its chunks finds the text already rendered and collects the values in drizzle's order.
import { fillPlaceholders, Placeholder, SQL, StringChunk } from "drizzle-orm";
import type { Values } from "./driver.ts";

interface Rendered {
  sql: string;
  params: unknown[];
}

interface Shape<R> {
  next: Map<unknown, Shape<R>>;
  rendered?: R;
}

const VALUE = Symbol("value");
const NOTHING = Symbol("undefined");
const OPEN = Symbol("(");
const CLOSE = Symbol(")");

const isPrimitive = (v: unknown) => v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean" || typeof v === "bigint";

/** `sql.inlineParams()` puts values into the text: such a query has no shape. */
const inlined = (query: SQL) => (query as unknown as { shouldInlineParams: boolean }).shouldInlineParams;

/**
 * Steps of the shapes kept at the most. The queries in this code have a few thousand; text that
 * is not a template's (e.g. `sql.raw` of a value) must not grow them without end: such a query is
 * rendered as it is once they are full.
 */
const MAX_STEPS = 20_000;

interface Shapes<R> extends Shape<R> {
  steps: number;
}

function step<R>(shapes: Shapes<R>, shape: Shape<R>, key: unknown): Shape<R> | null {
  let next = shape.next.get(key);
  if (!next) {
    if (shapes.steps >= MAX_STEPS) return null;
    shapes.steps++;
    next = { next: new Map() };
    shape.next.set(key, next);
  }
  return next;
}

/**
 * Follows `chunks` down the shapes, pushing the values drizzle would bind, in its order. Null for
 * anything whose text may depend on its value (arrays, columns, encoded params, inlined params...):
 * such a query is rendered by drizzle as it is.
 */
function walk<R>(shapes: Shapes<R>, chunks: unknown[], start: Shape<R>, params: unknown[]): Shape<R> | null {
  let shape = start;
  for (const chunk of chunks) {
    let key: unknown;
    if (chunk instanceof StringChunk) {
      if (chunk.value.length !== 1) return null;
      key = chunk.value[0];
    } else if (isPrimitive(chunk)) {
      key = VALUE;
      params.push(chunk);
    } else if (chunk === undefined) {
      key = NOTHING; // drizzle renders nothing and binds nothing
    } else if (chunk instanceof SQL) {
      if (inlined(chunk)) return null;
      const open = step(shapes, shape, OPEN);
      const inner: Shape<R> | null = open && walk(shapes, chunk.queryChunks, open, params);
      if (!inner) return null;
      shape = inner;
      key = CLOSE;
    } else if (chunk instanceof Placeholder) {
      key = chunk;
      params.push(chunk);
    } else {
      return null;
    }
    const next = step(shapes, shape, key);
    if (!next) return null;
    shape = next;
  }
  return shape;
}

export function renderCache<R extends Rendered>(render: (query: SQL) => R) {
  // Keyed by the query object: a module constant is found at once; one-off queries are collected with it.
  const cache = new WeakMap<SQL, { rendered: R; params: unknown[] }>();
  const shapes: Shapes<R> = { next: new Map(), steps: 0 };
  return (query: SQL, values?: Values): { rendered: R; params: unknown[] } => {
    let found = cache.get(query);
    if (!found) {
      const params: unknown[] = [];
      const shape = inlined(query) ? null : walk(shapes, query.queryChunks, shapes, params);
      if (shape) {
        shape.rendered ??= render(query);
        found = { rendered: shape.rendered, params };
        // Only statements with placeholders are run again; the rest are built per call.
        if (!params.some((p) => p instanceof Placeholder)) return found;
      } else {
        const rendered = render(query);
        found = { rendered, params: rendered.params };
      }
      cache.set(query, found);
    }
    return { rendered: found.rendered, params: values ? fillPlaceholders(found.params, values as Record<string, unknown>) : found.params };
  };
}
