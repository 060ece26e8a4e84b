// The HTTP side: /metrics for Prometheus, /healthz (the process answers), /readyz (the store is
// open and SMTP is listening — what a load balancer or Kubernetes should route on) and the /v1
// API (api.ts). Plain node:http: a dozen routes in one table do not justify a framework.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type ApiDeps, handleApi } from './api.js';

export interface HttpDeps {
  logger: Logger;
  registry: Registry;
  /** Readiness checks by name; all must resolve true. */
  ready: Record<string, () => Promise<boolean> | boolean>;
  api?: ApiDeps;
}

export interface HttpServer {
  listen(port: number, host: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

export function createHttpServer(deps: HttpDeps): HttpServer {
  const server = createServer((req, res) => {
    route(req, res, deps).catch((err: unknown) => {
      deps.logger.error({ err, url: req.url }, 'HTTP handler failed');
      if (!res.headersSent) json(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  return {
    listen: (port, host) => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    }),
    close: () => new Promise(resolve => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
  if (deps.api && await handleApi(req, res, deps.api)) return;
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return json(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: `${req.method} not allowed` } });
  }
  switch (path) {
    case '/metrics': {
      const body = await deps.registry.metrics();
      res.writeHead(200, { 'content-type': deps.registry.contentType });
      res.end(body);
      return;
    }
    case '/healthz':
      return json(res, 200, { status: 'ok' });
    case '/readyz': {
      const checks: Record<string, boolean> = {};
      for (const [name, check] of Object.entries(deps.ready)) {
        try {
          checks[name] = await check();
        } catch {
          checks[name] = false;
        }
      }
      const ok = Object.values(checks).every(Boolean);
      return json(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not_ready', checks });
    }
    default:
      return json(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${path}` } });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
