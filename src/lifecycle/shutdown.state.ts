import { Injectable } from '@nestjs/common';

/** Whether the process is shutting down; readiness reports 503 from the first signal on. */
@Injectable()
export class ShutdownState {
  private drainingSince: number | null = null;

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  beginDrain(): void {
    this.drainingSince ??= Date.now();
  }
}
