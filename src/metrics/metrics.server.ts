import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appConfig, type AppConfig } from '../config/app.config.js';
import { metricsConfig, type MetricsConfig } from '../config/metrics.config.js';
import { isAddressInUse, PortInUseError } from '../lifecycle/port-in-use.error.js';
import { AppMetrics } from './app-metrics.js';

/** The one path the metrics listener answers. */
export const METRICS_PATH = '/metrics';

/**
 * `METRICS_PORT`: `/metrics` on a plain node:http listener of its own (on `HOST`), for a scraper on a
 * private network; no credential, and nothing else is served there. Opened when the app starts,
 * closed when it shuts down.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(
    private readonly metrics: AppMetrics,
    @Inject(metricsConfig.KEY) private readonly config: MetricsConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  /** The port it listens on (the bound one when METRICS_PORT=0), or undefined before start. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.port ?? 0;
    const server = createServer((request, response) => void this.answer(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.app.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      throw isAddressInUse(error) ? new PortInUseError(port, 'METRICS_PORT', { cause: error }) : error;
    });
    this.server = server;
    this.logger.log(`metrics on http://${this.app.host}:${this.port}${METRICS_PATH}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '').split('?')[0];
    if (path !== METRICS_PATH) return plain(response, 404, 'Not found: only /metrics is served here\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return plain(response, 405, 'Method not allowed\n');
    }
    try {
      const { contentType, body } = await this.metrics.render();
      response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      this.logger.error(`rendering metrics failed: ${(error as Error).message}`);
      plain(response, 500, 'Internal error\n');
    }
  }
}

function plain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(text);
}
