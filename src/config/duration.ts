const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const DURATION = /^(\d+)\s*([smhdw]?)$/i;

/** Parses `3600`, `45s`, `30m`, `1h`, `7d` or `2w` into whole seconds; null when malformed. */
export function parseDurationSeconds(value: string): number | null {
  const match = DURATION.exec(value.trim());
  if (!match) return null;
  return Number(match[1]) * UNIT_SECONDS[(match[2] || 's').toLowerCase()];
}
