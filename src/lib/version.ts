import pkg from "../../package.json" with { type: "json" };

export const NAME = "TextLLM";
export const VERSION: string = pkg.version;
