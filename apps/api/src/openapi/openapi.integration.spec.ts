import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startHub, type TestHub } from '../test/hub';
import { listRoutes } from '../test/routes';
import { toOpenApiPath, serializeOpenApi, type OpenApiDocument } from './openapi-document';
import { OpenApiService } from './openapi.service';

const COMMITTED = path.resolve(__dirname, '../../../../docs/openapi.json');

type Operation = { 'x-tyto-permission'?: string; security?: unknown[]; responses: object };

function operations(doc: OpenApiDocument): Map<string, Operation> {
  const out = new Map<string, Operation>();
  for (const [p, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item as Record<string, Operation>)) {
      out.set(`${method.toUpperCase()} ${p}`, op);
    }
  }
  return out;
}

describe('OpenAPI document', () => {
  let hub: TestHub;
  let built: string;
  beforeAll(async () => {
    hub = await startHub('sqlite');
    built = serializeOpenApi(hub.app.get(OpenApiService).document);
  });
  afterAll(async () => {
    await hub.close();
  });

  it('matches the committed docs/openapi.json', () => {
    const committed = readFileSync(COMMITTED, 'utf8');
    if (committed !== built) {
      const a = committed.split('\n');
      const b = built.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      throw new Error(
        `docs/openapi.json is out of date: run npm run openapi\n` +
          `first difference at line ${line + 1}:\n- ${a[line]}\n+ ${b[line]}`,
      );
    }
  });

  it('is served at /api/v1/openapi.json without a session', async () => {
    const res = await hub.fetch('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(serializeOpenApi((await res.json()) as OpenApiDocument)).toBe(built);
  });

  it('describes every Nest route with its access rule and the shared error body', () => {
    const doc = JSON.parse(built) as OpenApiDocument;
    const ops = operations(doc);
    const wrong: string[] = [];
    for (const route of listRoutes(hub.app)) {
      const key = `${route.method} ${toOpenApiPath(route.path)}`;
      const op = ops.get(key);
      if (!op) wrong.push(`${key}: missing`);
      else if (op['x-tyto-permission'] !== route.access) wrong.push(`${key}: wrong permission`);
      else if (route.access === 'public' ? op.security?.length : !op.security?.length)
        wrong.push(`${key}: wrong security`);
      else if (!JSON.stringify(op.responses).includes('"#/components/schemas/Error"'))
        wrong.push(`${key}: no error response`);
    }
    expect(wrong).toEqual([]);
    expect(ops.size).toBe(listRoutes(hub.app).length);
    expect(Object.keys(doc.components?.securitySchemes ?? {}).sort()).toEqual(['bearer', 'cookie']);
    expect(doc.components?.schemas?.['Error']).toMatchObject({
      required: ['error', 'code', 'details'],
    });
  });

  it('takes request and response schemas from the route declarations', () => {
    const login = operations(JSON.parse(built) as OpenApiDocument).get(
      'POST /api/v1/auth/login',
    ) as unknown as Record<string, unknown>;
    expect(login).toMatchObject({
      requestBody: {
        content: { 'application/json': { schema: { $ref: '#/components/schemas/LoginRequest' } } },
      },
      responses: {
        200: {
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/LoginResponse' } },
          },
        },
      },
    });
  });

  it('serves the docs page with no inline script, and only the Swagger UI files it loads', async () => {
    const page = await hub.fetch('/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => m[2].trim())).toEqual(['', '']);
    expect(scripts.map((m) => /src="([^"]+)"/.exec(m[1])?.[1])).toEqual([
      '/api/docs/swagger-ui-bundle.js',
      '/api/docs/swagger-init.js',
    ]);

    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-init.js']) {
      expect([asset, (await hub.fetch(`/api/docs/${asset}`)).status]).toEqual([asset, 200]);
    }
    expect(await (await hub.fetch('/api/docs/swagger-init.js')).text()).toContain(
      "url: '/api/v1/openapi.json'",
    );
    // The package's demo page and initializer point at the Petstore: not served.
    for (const other of ['index.html', 'swagger-initializer.js', 'swagger-ui-bundle.js.map']) {
      expect([other, (await hub.fetch(`/api/docs/${other}`)).status]).toEqual([other, 404]);
    }
  });
});
