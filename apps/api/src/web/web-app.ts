import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { toErrorBody } from '../common/error.filter';
import { notFound } from '../common/errors';

const isApiPath = (url: string) =>
  url === '/api' || url.startsWith('/api/') || url.startsWith('/api?') || url.startsWith('/health');

/** Like Express's `req.accepts('html')`: no Accept header, or one that admits text/html. */
const acceptsHtml = (accept: string | undefined) =>
  accept === undefined || /(^|,)\s*(text\/html|text\/\*|\*\/\*)(\s*;|\s*,|\s*$)/i.test(accept);

/**
 * Serves the built Angular app at `/`: files as they are, and index.html for any other GET that
 * is not under /api or /health, so deep links survive a reload. API 404s stay JSON.
 *
 * The build's files are listed once at start (`wildcard: false`), each becoming a route of its
 * own, so an API request never touches the file system on its way to a handler.
 */
export async function mountWebApp(fastify: FastifyInstance, webDir: string): Promise<boolean> {
  const index = path.join(webDir, 'index.html');
  if (!existsSync(index)) return false;
  await fastify.register(fastifyStatic, {
    root: webDir,
    wildcard: false,
    index: false,
    maxAge: '1h',
  });
  const spa = async (req: FastifyRequest, reply: FastifyReply) => {
    if (isApiPath(req.url) || !acceptsHtml(req.headers.accept)) {
      const { status, body } = toErrorBody(notFound(`Route GET ${req.url.split('?')[0]}`));
      return reply.code(status).send(body);
    }
    return reply.header('Cache-Control', 'no-cache').sendFile('index.html', { maxAge: 0 });
  };
  fastify.get('/', spa);
  fastify.get('/*', spa);
  return true;
}
