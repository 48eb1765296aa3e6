/** The UTC day of a moment, YYYY-MM-DD: the unit of sessions and daily budgets. */
export const utcDay = (d: Date): string => d.toISOString().slice(0, 10);
