/**
 * @module
 * `createApp(settings, deps)`: the whole HTTP application, built from web-standard parts only
 * (Request/Response, fetch, Web Crypto, streams), so the Node entry (src/server.ts) is the one
 * place that knows about Node. No module-level app, no environment reads.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { Settings } from './config.ts';
import type { AppDeps, AppEnv } from './http/env.ts';
import { defaultHook } from './http/validation.ts';
import { requestLogger } from './http/logging.ts';
import { onError, notFound } from './http/errors.ts';
import { staticRoutes } from './http/assets.ts';
import { healthRoutes } from './health/routes.ts';
import { homeRoutes } from './home/routes.tsx';
import { ANONYMOUS } from './auth/context.ts';
import { csrfMiddleware, sessionMiddleware } from './auth/middleware.ts';
import { authRoutes } from './auth/routes.tsx';
import { userRoutes } from './users/routes.tsx';
import { roleRoutes } from './rbac/routes.tsx';
import { auditRoutes } from './audit/routes.tsx';
import { activityRoutes } from './activity/routes.tsx';
import { settingsRoutes } from './settings/routes.tsx';
import { minionRoutes } from './minions/routes.tsx';
import { keyRoutes } from './keys/routes.tsx';
import { jobRoutes } from './jobs/routes.tsx';
import { runRoutes } from './run/routes.tsx';
import { templateRoutes } from './templates/routes.tsx';
import { inventoryRoutes } from './inventory/routes.tsx';
import { fleetRoutes } from './fleet/routes.tsx';
import { PermissionCache } from './rbac/service.ts';
import { LoginThrottle } from './auth/throttle.ts';

export type App = OpenAPIHono<AppEnv>;

/** Builds the application. */
export function createApp(settings: Settings, deps: AppDeps): App {
  const app = new OpenAPIHono<AppEnv>({ defaultHook });
  const permissionCache = new PermissionCache();
  const loginThrottle = new LoginThrottle();

  app.use(requestId({ headerName: 'X-Request-Id' }));
  app.use(async (c, next) => {
    c.set('settings', settings);
    c.set('deps', deps);
    c.set('auth', ANONYMOUS);
    c.set('permissionCache', permissionCache);
    c.set('loginThrottle', loginThrottle);
    await next();
  });
  app.use(requestLogger(deps.logger));
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // htmx injects its indicator styles inline unless told not to; we tell it not to, but
        // attribute styles in server-rendered SVG charts still need this.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
      crossOriginEmbedderPolicy: false,
      // With no-referrer, Chromium sends `Origin: null` on same-site form posts, which the CSRF
      // origin check must refuse; same-origin keeps the Origin and still leaks nothing cross-site.
      referrerPolicy: 'same-origin',
    }),
  );

  app.route('/', staticRoutes(deps.assets));
  app.route('/', healthRoutes);
  app.use(sessionMiddleware());
  app.use(csrfMiddleware());
  app.route('/', authRoutes);
  app.route('/', homeRoutes);
  app.route('/', userRoutes);
  app.route('/', roleRoutes);
  app.route('/', auditRoutes);
  app.route('/', settingsRoutes);
  app.route('/', activityRoutes);
  app.route('/', minionRoutes);
  app.route('/', keyRoutes);
  app.route('/', jobRoutes);
  app.route('/', runRoutes);
  app.route('/', templateRoutes);
  app.route('/', inventoryRoutes);
  app.route('/', fleetRoutes);

  app.onError(onError);
  app.notFound(notFound);
  return app;
}

/** The OpenAPI document for an app (the `openapi` script writes it to openapi.json). */
export function openApiDocument(app: App) {
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Halite',
      version: '0.1.0',
      description:
        'A web console for SaltStack fleets. Every route answers JSON by default and an HTML fragment to htmx (HX-Request: true).',
    },
  });
}
