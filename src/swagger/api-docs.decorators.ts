import type * as Swagger from '@nestjs/swagger';
import type * as AuthOpenApi from '../auth/openapi/index.js';

// The app's OpenAPI decorators. Each has @nestjs/swagger's name and signature but only records where
// it was applied; setup-swagger.ts replays the records with the real decorators when the docs are on.
// Production serves no docs, so it never loads @nestjs/swagger: about 9 MB less heap after start-up
// (test/swagger-loading.e2e-spec.ts checks it stays unloaded).

/** What a recorded description is built with, once the docs are on. */
export interface ApiDocsLibraries {
  swagger: typeof Swagger;
  /** weapp-auth/openapi: the auth module's schema classes (it loads @nestjs/swagger too). */
  auth: typeof AuthOpenApi;
}

type AnyDecorator = ClassDecorator | MethodDecorator | PropertyDecorator;

/** How a decorator is called: with the class alone, or with a key (and a method's descriptor). */
type Applied = (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => unknown;

interface Application {
  build: (libraries: ApiDocsLibraries) => AnyDecorator;
  target: object;
  key?: string | symbol;
  descriptor?: PropertyDescriptor;
}

/** Every application not replayed yet, in the order the decorators ran. */
const pending: Application[] = [];

/**
 * A description built from the real libraries at replay time: for what the named decorators below
 * cannot say without loading them (the auth module's schema classes, a mapped type, terminus' docs).
 */
export function ApiDocs(
  build: (libraries: ApiDocsLibraries) => AnyDecorator,
): ClassDecorator & MethodDecorator & PropertyDecorator {
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    pending.push({ build, target, key, descriptor });
  };
}

/**
 * Applies the recorded descriptions, in their original order (Swagger lists properties in the order
 * they were decorated). Each applies once: Swagger's decorators append, so a second app built in the
 * same process (tests) would otherwise repeat every response and property.
 */
export function replayApiDocs(libraries: ApiDocsLibraries): void {
  for (const { build, target, key, descriptor } of pending.splice(0)) {
    (build(libraries) as Applied)(target, key, descriptor);
  }
}

type SwaggerDecoratorName =
  | 'ApiBearerAuth'
  | 'ApiBody'
  | 'ApiConsumes'
  | 'ApiNoContentResponse'
  | 'ApiOkResponse'
  | 'ApiOperation'
  | 'ApiParam'
  | 'ApiProperty'
  | 'ApiPropertyOptional'
  | 'ApiResponse'
  | 'ApiTags';

function recorded<Name extends SwaggerDecoratorName>(name: Name): (typeof Swagger)[Name] {
  const factory = (...args: unknown[]) =>
    ApiDocs(({ swagger }) => (swagger[name] as (...args: unknown[]) => AnyDecorator)(...args));
  return factory as unknown as (typeof Swagger)[Name];
}

export const ApiBearerAuth = recorded('ApiBearerAuth');
export const ApiBody = recorded('ApiBody');
export const ApiConsumes = recorded('ApiConsumes');
export const ApiNoContentResponse = recorded('ApiNoContentResponse');
export const ApiOkResponse = recorded('ApiOkResponse');
export const ApiOperation = recorded('ApiOperation');
export const ApiParam = recorded('ApiParam');
export const ApiProperty = recorded('ApiProperty');
export const ApiPropertyOptional = recorded('ApiPropertyOptional');
export const ApiResponse = recorded('ApiResponse');
export const ApiTags = recorded('ApiTags');

export type { SchemaObject } from '@nestjs/swagger';
