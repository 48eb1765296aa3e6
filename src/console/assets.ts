// The console's bundled script and stylesheet, inlined at build time by the macro. Imported
// lazily by the console route on its first request, so a server nobody opens the console on
// never loads them.
import { bundleConsole } from "./bundle-macro.ts" with { type: "macro" };

export const CONSOLE_BUNDLE = bundleConsole();
