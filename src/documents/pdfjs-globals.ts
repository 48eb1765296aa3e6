// pdf.js (inside pdf-parse) expects browser globals that the compiled binary lacks. Text
// extraction needs DOMMatrix (a real polyfill); Path2D is only used for drawing, which we never
// do — an empty class stops pdf.js from warning that it could not provide one.
// This module must be imported before pdf-parse.
import CSSMatrix from "@thednp/dommatrix";

const g = globalThis as unknown as { DOMMatrix?: unknown; Path2D?: unknown };
g.DOMMatrix ??= CSSMatrix;
g.Path2D ??= class Path2D {};
