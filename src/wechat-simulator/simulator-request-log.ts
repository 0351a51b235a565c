import type { RecordedRequest } from './simulator-control.types.js';

/**
 * The last N WeChat API calls, oldest first, for assertions such as "the backend called
 * jscode2session exactly once". Entries are recorded on arrival and completed when answered.
 *
 * @internal
 */
export class SimulatorRequestLog {
  private entries: RecordedRequest[] = [];

  constructor(private readonly limit: number) {}

  start(entry: Omit<RecordedRequest, 'status' | 'latencyMs' | 'response'>): RecordedRequest {
    const recorded: RecordedRequest = { ...entry, status: null, latencyMs: null, response: null };
    this.entries.push(recorded);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return recorded;
  }

  list(): RecordedRequest[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.entries = [];
  }
}

/** The body as the log shows it: parsed JSON, else the raw text, else null when empty. @internal */
export function loggableBody(text: string): unknown {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
