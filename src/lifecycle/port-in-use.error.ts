/**
 * A start-up port clash, named by the variable that moves it: main.ts prints the message as its one
 * line (`port 3000 is in use: set PORT=…`) instead of Node's EADDRINUSE stack.
 */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';

  constructor(
    readonly port: number,
    readonly variable: string,
    options?: { cause?: unknown },
  ) {
    super(`port ${port} is in use: set ${variable}=<a free port>, or stop what listens there`, options);
  }
}

export function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE';
}
