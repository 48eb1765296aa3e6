import { DIRECT_ENV_VARS, OVERRIDE_ENV_VARS } from "../config/env.ts";
import { NAME, VERSION } from "../lib/version.ts";

export const HELP = `${NAME} ${VERSION} — self-hosted, OpenAI-compatible chat backend

Usage:
  textllm [serve]        start the server (default)
  textllm migrate        apply database migrations and exit
  textllm chat           the terminal client (textllm chat --help)
  textllm healthcheck    exit 0 when the server answers /health/live with 200 (--url URL:
                         its base URL or a full probe URL; default http://127.0.0.1:$PORT)
  textllm --version      print the version
  textllm --help         print this help

Configuration: config.yaml in the working directory (or TEXTLLM_CONFIG), prompts.yaml beside it,
a .env file, and these environment variables:
  ${[...DIRECT_ENV_VARS, ...OVERRIDE_ENV_VARS].join(", ")}

With no configuration at all the server listens on 0.0.0.0:8000 and keeps its SQLite database
and files under ./data.`;
