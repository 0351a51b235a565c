/**
 * Bad input to the test-control API (or to the matching programmatic methods). The control routes
 * answer it as `status` with `{error: message}`.
 *
 * @publicApi
 */
export class SimulatorInputError extends Error {
  override readonly name = 'SimulatorInputError';

  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
  }
}

/** @internal */
export type InputObject = Record<string, unknown>;

/** @internal */
export function requireObject(value: unknown, what = 'body'): InputObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SimulatorInputError(`${what} must be a JSON object`);
  }
  return value as InputObject;
}

/** @internal */
export function requireString(input: InputObject, key: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new SimulatorInputError(`${key} must be a non-empty string`);
  }
  return value;
}

/** @internal */
export function optionalString(input: InputObject, key: string): string | undefined {
  return input[key] === undefined ? undefined : requireString(input, key);
}

/** @internal */
export function optionalBoolean(input: InputObject, key: string): boolean | undefined {
  const value = input[key];
  if (value !== undefined && typeof value !== 'boolean')
    throw new SimulatorInputError(`${key} must be a boolean`);
  return value;
}

/** @internal */
export function optionalNumber(
  input: InputObject,
  key: string,
  { min = -Infinity, max = Infinity, integer = false } = {},
): number | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new SimulatorInputError(`${key} must be a number between ${min} and ${max}`);
  }
  if (integer && !Number.isInteger(value)) throw new SimulatorInputError(`${key} must be an integer`);
  return value;
}
