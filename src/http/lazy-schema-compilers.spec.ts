import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import Fastify, { type FastifyInstance } from 'fastify';
import { lazySchemaCompilers } from './lazy-schema-compilers.js';

describe('lazySchemaCompilers', () => {
  let fastify: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    fastify = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers() } });
    // A host route with Fastify schemas: validated by Ajv and serialised by fast-json-stringify, as without the option.
    fastify.post(
      '/echo',
      {
        schema: {
          body: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string', maxLength: 5 } },
          },
          headers: { type: 'object', required: ['x-tenant'], properties: { 'x-tenant': { type: 'string' } } },
          response: { 200: { type: 'object', properties: { name: { type: 'string' } } } },
        },
      },
      (request) => ({ ...(request.body as object), secret: 'dropped by the response schema' }),
    );
    url = await fastify.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => fastify.close());

  const post = (body: unknown, headers: Record<string, string> = { 'x-tenant': 't1' }) =>
    fetch(`${url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  test('validates bodies and headers with the JSON schema', async () => {
    expect((await post({ name: 'toolong' })).status).toBe(400);
    expect((await post({})).status).toBe(400);
    expect((await post({ name: 'ok' }, {})).status).toBe(400);
  });

  test('serialises with the response schema: properties it does not list are left out', async () => {
    const response = await post({ name: 'ok' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: 'ok' });
  });
});
