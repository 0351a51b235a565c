import type { FastifyServerOptions } from 'fastify';
import { createRequire } from 'node:module';

type CompilersFactory = NonNullable<FastifyServerOptions['schemaController']>['compilersFactory'];
/** What `@fastify/ajv-compiler` and `@fastify/fast-json-stringify-compiler` build: (schemas, options) => compiler. */
type CompilerBuilder = (externalSchemas: unknown, options: unknown) => unknown;

/** Resolves from Fastify's own directory: the compilers are its dependencies, not ours. */
const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

let validatorBuilder: CompilerBuilder | undefined;
let serializerBuilder: CompilerBuilder | undefined;

/**
 * Fastify's default schema compilers (Ajv for validation, fast-json-stringify for serialisation),
 * each loaded the first time a route needs it instead of when Fastify starts.
 *
 * Why: Fastify requires both at start-up, and the validator side brings its own Ajv with ajv-formats.
 * This app validates with class-validator; its only Fastify schema is the `UserProfileDto` response
 * (serialised by fast-json-stringify), so in production only the serializer side loads (94 modules
 * and ~0.9 MB of heap fewer, docs/performance.md). A host route with a body or headers schema gets the
 * same compilers as before, with one difference: Fastify treats them as custom, so the property names
 * of a `headers` schema are used as written (write them in lower case) instead of lower-cased.
 */
export function lazySchemaCompilers(): CompilersFactory {
  const buildValidator: CompilerBuilder = (externalSchemas, ajvOptions) => {
    validatorBuilder ??= (requireFromFastify('@fastify/ajv-compiler') as () => CompilerBuilder)();
    return validatorBuilder(externalSchemas, ajvOptions);
  };
  const buildSerializer: CompilerBuilder = (externalSchemas, serializerOptions) => {
    serializerBuilder ??= (
      requireFromFastify('@fastify/fast-json-stringify-compiler') as () => CompilerBuilder
    )();
    return serializerBuilder(externalSchemas, serializerOptions);
  };
  // Fastify's types name the two builders' unions; these pass through exactly what Fastify gives.
  return { buildValidator, buildSerializer } as CompilersFactory;
}
