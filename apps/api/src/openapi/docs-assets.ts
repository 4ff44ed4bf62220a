import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DOCS_PATH } from './docs-page';

/** The files of swagger-ui-dist the docs page loads; nothing else of the package is served. */
const SWAGGER_UI_FILES = new Set([
  'swagger-ui-bundle.js',
  'swagger-ui.css',
  'favicon-16x16.png',
  'favicon-32x32.png',
]);

/**
 * Serves Swagger UI's assets under /api/docs/. Deliberately outside Nest (so outside the route
 * matrix): they are a third-party package's public files, with no data and no access rule to
 * check. The page and the document themselves are Nest routes (DocsController).
 */
export async function mountApiDocsAssets(fastify: FastifyInstance): Promise<void> {
  const root = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  await fastify.register(fastifyStatic, {
    root,
    prefix: `${DOCS_PATH}/`,
    // Listed once at start, each file a route of its own (as the web app's are).
    wildcard: false,
    index: false,
    globIgnore: readdirSync(root).filter((f) => !SWAGGER_UI_FILES.has(f)),
    decorateReply: false,
    maxAge: '1h',
  });
}
