/** A response as the tests look at it: status, headers and the parsed JSON body (if any). */
export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestRequest {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

/** Real HTTP through Node's fetch (never patched): what a mini program would send. */
export async function http<T = any>(
  method: string,
  url: string,
  request: TestRequest = {},
): Promise<TestResponse<T>> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  let body: string | undefined;
  if (request.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  }
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: parseJson(text) as T, text };
}

function parseJson(text: string): any {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
