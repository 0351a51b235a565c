import { Controller, Get, HttpException, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/index.js';
import { ApiException, type ErrorResponseBody } from '../common/api.exception.js';
import { ShutdownState } from '../lifecycle/shutdown.state.js';
import { ApiDocs, ApiOkResponse, ApiOperation, ApiTags } from '../swagger/api-docs.decorators.js';
import { RedisHealthIndicator } from './redis.health.js';

const PING_TIMEOUT_MS = 1000;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up (checks nothing else)' })
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', example: 'ok' } } } })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  // Above terminus' own docs (below @HealthCheck), so it replaces their 503 schema: the error filter
  // renders that 503 as our common error body.
  @ApiDocs(({ swagger, auth }) =>
    swagger.ApiResponse({
      status: 503,
      type: auth.ErrorResponseDto,
      description:
        '`SERVICE_UNAVAILABLE`: the database or Redis did not answer its ping in time (`failing` names which); `SHUTTING_DOWN`: draining after SIGTERM',
    }),
  )
  // Terminus documents the route by loading @nestjs/swagger on the spot: only its no-cache header now,
  // its 200 and 503 schemas with the other docs (api-docs.decorators.ts).
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiDocs(() => HealthCheck({ noCache: false, swaggerDocumentation: true }))
  @ApiOperation({ summary: 'Readiness: database and Redis answer a ping; 503 when either is down' })
  async ready() {
    // From the first SIGTERM on, the load balancer must stop sending traffic here.
    if (this.shutdown.draining)
      throw new ApiException(503, 'SHUTTING_DOWN', 'This instance is shutting down');
    try {
      return await this.health.check([
        () => this.database.pingCheck('database').withTimeout(PING_TIMEOUT_MS),
        () => this.redis.ping(PING_TIMEOUT_MS),
      ]);
    } catch (error) {
      const failing = failingChecks(error);
      if (failing.length === 0) throw error;
      const body: ErrorResponseBody = {
        statusCode: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: `Not ready: ${failing.join(' and ')} did not answer`,
        failing,
      };
      throw new HttpException(body, 503);
    }
  }
}

/** The checks that failed, from terminus' 503 (the keys of its `error`); none for any other error. */
function failingChecks(error: unknown): string[] {
  if (!(error instanceof ServiceUnavailableException)) return [];
  const result = error.getResponse() as { error?: Record<string, unknown> };
  return Object.keys(result.error ?? {});
}
