// `weapp-auth/openapi`: the OpenAPI description of the auth module's routes, for apps that serve
// Swagger. The only part of the package that needs @nestjs/swagger (an optional peer dependency).
export { documentAuthApi, type DocumentAuthApiOptions } from './document-auth-api.js';
export { ErrorResponseDto, LoginRequestDto, LoginResponseDto, SessionSummaryDto } from './auth-dtos.js';
