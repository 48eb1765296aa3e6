// pdf.js (inside pdf-parse) expects the browser's DOMMatrix; the compiled binary has none.
// This module must be imported before pdf-parse.
import CSSMatrix from "@thednp/dommatrix";

const g = globalThis as unknown as { DOMMatrix?: unknown };
g.DOMMatrix ??= CSSMatrix;
