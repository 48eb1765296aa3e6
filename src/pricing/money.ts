// Money is integer micro-dollars (1 USD = 1,000,000) everywhere it is stored or summed; dollars as
// a JSON number appear only at the edge, in what the API returns.
export const MICROS_PER_USD = 1_000_000;

export const microsToUsd = (micros: number): number => micros / MICROS_PER_USD;

/** Dollars from config (e.g. cost_limit_per_session: 5.0) → micro-dollars, rounded once. */
export const usdToMicros = (usd: number): number => Math.round(usd * MICROS_PER_USD);

/** "$5.00", "$0.25", "$0.000001": at least cents, and as many places as the amount needs (max 6). */
export const formatUsd = (micros: number): string => {
  const fixed = microsToUsd(micros)
    .toFixed(6)
    .replace(/0{1,4}$/, "");
  return `$${fixed}`;
};
