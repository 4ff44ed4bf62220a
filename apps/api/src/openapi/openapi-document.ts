import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import * as contracts from '@tyto/contracts';
import { CSRF_HEADER, ErrorBodySchema, SESSION_COOKIE } from '@tyto/contracts';
import * as z from 'zod';
import type { ZodType } from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import type { Access } from '../common/access.decorator';
import type { RouteInfo } from '../common/routes';
import { BODY_SCHEMA_KEY, QUERY_SCHEMA_KEY } from '../common/validation';
import { API_DOC_KEY, type ApiDocOptions } from './api-doc.decorator';

export type OpenApiDocument = ReturnType<typeof createDocument>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
type Method = (typeof METHODS)[number];

const SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

/** `/api/v1/users/:id` → `/api/v1/users/{id}`. */
export const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const accessText = (access: Access | undefined): string =>
  access === undefined
    ? 'Access: undeclared (the hub refuses it).'
    : access === 'public'
      ? 'Access: public, no session needed.'
      : access === 'session'
        ? 'Access: any signed-in user.'
        : `Access: permission \`${access}\`.`;

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBodySchema } },
});

// Contract schemas by their export name (`LoginResponseSchema` → `LoginResponse`), so the ones a
// route uses become named components instead of being inlined everywhere.
function contractComponents(exclude: Set<unknown>): Record<string, ZodType> {
  const out: Record<string, ZodType> = {};
  for (const [name, value] of Object.entries(contracts)) {
    if (!name.endsWith('Schema') || !(value instanceof z.ZodType) || exclude.has(value)) continue;
    if (value === ErrorBodySchema) continue;
    out[name.slice(0, -'Schema'.length)] = value;
  }
  return out;
}

function operation(route: RouteInfo): ZodOpenApiOperationObject {
  const doc = Reflect.getMetadata(API_DOC_KEY, route.fn) as ApiDocOptions | undefined;
  const body = Reflect.getMetadata(BODY_SCHEMA_KEY, route.fn) as ZodType | undefined;
  const query = Reflect.getMetadata(QUERY_SCHEMA_KEY, route.fn) as ZodType | undefined;
  const params = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
  const status =
    (Reflect.getMetadata(HTTP_CODE_METADATA, route.fn) as number | undefined) ??
    (route.method === 'POST' ? 201 : 200);
  const write = !['GET', 'HEAD', 'OPTIONS'].includes(route.method);

  const success =
    status === 204
      ? { description: 'Done; no body.' }
      : {
          description: 'Success.',
          content: Object.fromEntries(
            (doc?.produces ?? ['application/json']).map((type) => [
              type,
              type === 'application/json' && doc?.response
                ? { schema: doc.response }
                : { schema: { type: 'string' as const } },
            ]),
          ),
        };
  const responses: ZodOpenApiResponsesObject = { [`${status}`]: success };
  if (body || query) responses['400'] = errorResponse('The request failed validation.');
  if (route.access !== 'public') {
    responses['401'] = errorResponse('No valid session.');
    responses['403'] = errorResponse(
      route.access === 'session'
        ? `A cookie-authenticated write without the \`${CSRF_HEADER}\` header.`
        : `Missing the permission \`${route.access}\`${write ? `, or a cookie-authenticated write without the \`${CSRF_HEADER}\` header` : ''}.`,
    );
  }
  if (params.length) responses['404'] = errorResponse('No such resource.');
  responses.default = errorResponse('Any other error.');

  return {
    operationId: `${route.controller.replace(/Controller$/, '')}_${route.handler}`,
    tags: [route.controller.replace(/Controller$/, '')],
    summary: doc?.summary,
    description: [doc?.description, accessText(route.access)].filter(Boolean).join('\n\n'),
    'x-tyto-permission': route.access ?? null,
    security: route.access === 'public' ? [] : SECURITY,
    requestParams: {
      ...(params.length
        ? { path: z.object(Object.fromEntries(params.map((p) => [p, z.string()]))) }
        : {}),
      ...(query ? { query: query as z.ZodObject } : {}),
    },
    ...(body
      ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } }
      : {}),
    responses,
  };
}

// Components no operation reaches are left out (the contracts hold agent payloads too).
function pruneComponents(doc: OpenApiDocument): void {
  const schemas = doc.components?.schemas;
  if (!schemas) return;
  const refsIn = (value: unknown) =>
    [...JSON.stringify(value).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
  const reached = new Set<string>();
  const queue = refsIn(doc.paths);
  while (queue.length) {
    const name = queue.pop() as string;
    if (reached.has(name)) continue;
    reached.add(name);
    queue.push(...refsIn(schemas[name]));
  }
  for (const name of Object.keys(schemas)) if (!reached.has(name)) delete schemas[name];
}

const sortKeys = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * The OpenAPI 3.1 document of the hub's routes: each route's method, path and access rule from
 * its decorators, its request schemas from `@ValidBody` / `@ValidQuery`, its success body from
 * `@ApiDoc`. Paths and components are sorted, so the output is stable.
 */
export function buildOpenApiDocument(routes: RouteInfo[], version: string): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  const queries = new Set<unknown>();
  for (const route of routes) {
    const query: unknown = Reflect.getMetadata(QUERY_SCHEMA_KEY, route.fn);
    if (query) queries.add(query);
  }
  const sorted = [...routes].sort(
    (a, b) =>
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      METHODS.indexOf(a.method.toLowerCase() as Method) -
        METHODS.indexOf(b.method.toLowerCase() as Method),
  );
  for (const route of sorted) {
    const method = route.method.toLowerCase() as Method;
    const path = toOpenApiPath(route.path);
    paths[path] = { ...paths[path], [method]: operation(route) };
  }
  const doc = createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'Tyto hub API',
        version,
        description:
          'REST API of the Tyto monitoring hub, generated from its Zod contracts and route ' +
          'declarations (docs/api.md explains each route). Every error body is `Error`.',
      },
      paths,
      components: {
        schemas: contractComponents(queries),
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'The `token` from `POST /api/v1/auth/login`.',
          },
          cookie: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description:
              `The HttpOnly session cookie set at login. Writes authenticated by it must carry the ` +
              `\`${CSRF_HEADER}\` header.`,
          },
        },
      },
    },
    // A contract is either a request or a response, so its component keeps its own name.
    { outputIdSuffix: '' },
  );
  pruneComponents(doc);
  if (doc.components?.schemas) doc.components.schemas = sortKeys(doc.components.schemas);
  return doc;
}

/** The document as committed in docs/openapi.json: pretty-printed, ending with a newline. */
export const serializeOpenApi = (doc: OpenApiDocument) => `${JSON.stringify(doc, null, 2)}\n`;
