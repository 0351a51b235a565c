import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '../swagger/api-docs.decorators.js';
import { Registry } from 'prom-client';
import { OperatorOnly } from '../admin/operator-only.decorator.js';
import { ApiErrorCodes } from '../profile/profile-api.decorators.js';
import { AppMetrics } from './app-metrics.js';

/**
 * `GET /metrics` on the API port, for an operator credential (when `METRICS_PORT` is unset; with it,
 * MetricsServer serves them on their own port instead).
 */
@ApiTags('operator')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: AppMetrics) {}

  @Get()
  @OperatorOnly()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics (text exposition format), for an operator credential',
    description:
      'Requests by route and status, login outcomes by error code, WeChat calls by API and errcode with ' +
      'latencies, Redis and database probes and errors, rate-limit refusals, the audit backlog, and ' +
      'Node process metrics. With `METRICS_PORT` set, served on that port instead, without a credential.',
  })
  // Content on the 200 only (not @ApiProduces): the errors are the usual JSON body.
  @ApiOkResponse({
    description: 'The metrics',
    content: { [Registry.PROMETHEUS_CONTENT_TYPE]: { schema: { type: 'string' } } },
  })
  @ApiErrorCodes('OPERATOR_UNAUTHORIZED', 'OPERATOR_API_DISABLED')
  async scrape(): Promise<string> {
    return (await this.metrics.render()).body;
  }
}
