import type { DestinationStream } from 'pino';

/** Lines held at most: a start-up logs a few dozen; beyond this they are counted, not kept. */
const MAX_HELD_LINES = 2000;

/**
 * A log destination that holds the lines written during start-up. Once the server listens, `open()`
 * writes them out and lets every later line through. When start-up fails, `discard()` drops them: in
 * production the failure is one line naming the cause (main.ts), not the framework's progress and
 * retry chatter before it.
 */
export class StartupLogGate implements DestinationStream {
  private held: string[] | null = [];
  private overflow = 0;
  private discarded = false;

  constructor(private readonly target: DestinationStream & { flush?: () => void }) {}

  write(line: string): void {
    if (this.discarded) return;
    if (this.held === null) {
      this.target.write(line);
    } else if (this.held.length < MAX_HELD_LINES) {
      this.held.push(line);
    } else {
      this.overflow++;
    }
  }

  flush(callback?: (error?: Error) => void): void {
    if (this.held === null) this.target.flush?.();
    callback?.();
  }

  /** Writes the held lines and passes every later one straight through. */
  open(): void {
    if (this.held === null) return;
    const lines = this.held;
    this.held = null;
    for (const line of lines) this.target.write(line);
    if (this.overflow > 0)
      this.target.write(
        JSON.stringify({ level: 40, time: Date.now(), msg: `${this.overflow} start-up log lines dropped` }) +
          '\n',
      );
  }

  /** The lines held so far (for LOG_LEVEL=debug after a failure), then drops them; later lines too. */
  discard(): string[] {
    const lines = this.held ?? [];
    this.held = [];
    this.discarded = true;
    return lines;
  }
}
