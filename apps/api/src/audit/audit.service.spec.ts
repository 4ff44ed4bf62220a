import { Controller, Post, Put } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Auth } from '../common/access.decorator';
import type { AuthedRequest, Principal } from '../common/principal';
import { AuditAction, auditNoteOf } from './audit.decorator';
import type { AuditRepository, NewAuditEntry } from './audit.repository';
import { AuditService, escapeControlCharacters, targetFromParams } from './audit.service';

@Controller('api/v1/things')
class ThingsController {
  @Put(':id')
  @Auth('session')
  unnamed(): string {
    return 'unnamed';
  }
  @Post('poke')
  @Auth('session')
  @AuditAction('thing.poke')
  named(): string {
    return 'named';
  }
  @Post('open')
  @Auth('public')
  open(): string {
    return 'open';
  }
  @Post('enter')
  @Auth('public')
  @AuditAction('thing.enter', { actorFromBody: 'name' })
  enter(): string {
    return 'enter';
  }
}

const principal = { userId: 'u-1', username: 'alice' } as Principal;

/** A Fastify request as the hook sees it, matched to `route` (undefined: no route matched). */
function request(method: string, route: string | undefined, extra: Record<string, unknown> = {}) {
  return {
    method,
    url: route ?? '/nowhere?x=1',
    routeOptions: { url: route },
    params: {},
    ip: '10.1.2.3',
    ...extra,
  } as unknown as AuthedRequest;
}

function service(repo: Partial<AuditRepository> | null = null) {
  const saved: NewAuditEntry[] = [];
  const store = repo ?? { insert: async (e: NewAuditEntry) => void saved.push(e) };
  const discovery = {
    getControllers: () => [{ instance: new ThingsController(), metatype: ThingsController }],
  } as unknown as DiscoveryService;
  const audit = new AuditService(
    store as unknown as AuditRepository,
    new Reflector(),
    discovery,
    new MetadataScanner(),
  );
  audit.onApplicationBootstrap();
  return { saved, audit };
}

const errorBody = (code: string) => JSON.stringify({ error: 'x', code, details: {} });

describe(AuditService.name, () => {
  describe('recordResponse', () => {
    it('names an unnamed write by method and declared route, targeting its parameter', async () => {
      const { saved, audit } = service();
      const req = request('PUT', '/api/v1/things/:id', { params: { id: 't-9' }, principal });
      await audit.recordResponse(req, 200, '{}');
      expect(saved).toEqual([
        {
          timestamp: expect.stringMatching(/Z$/),
          actorId: 'u-1',
          actorUsername: 'alice',
          action: 'PUT /api/v1/things/:id',
          target: 't-9',
          ip: '10.1.2.3',
          outcome: 'success',
          status: 200,
          details: {},
        },
      ]);
    });

    it('uses the declared action, the handler’s note and the error code of a failure', async () => {
      const { saved, audit } = service();
      const req = request('POST', '/api/v1/things/poke', { principal });
      Object.assign(auditNoteOf(req), {
        actor: { id: null, username: 'tried-name' },
        target: 'created-id',
        details: { size: 3 },
      });
      await audit.recordResponse(req, 409, errorBody('CONFLICT'));
      expect(saved[0]).toMatchObject({
        action: 'thing.poke',
        actorId: null,
        actorUsername: 'tried-name',
        target: 'created-id',
        outcome: 'failure',
        status: 409,
        details: { size: 3, code: 'CONFLICT' },
      });
    });

    it('records an anonymous write to a public route without an actor', async () => {
      const { saved, audit } = service();
      await audit.recordResponse(
        request('POST', '/api/v1/things/open'),
        400,
        errorBody('VALIDATION_FAILED'),
      );
      expect(saved[0]).toMatchObject({
        actorId: null,
        actorUsername: null,
        action: 'POST /api/v1/things/open',
        details: { code: 'VALIDATION_FAILED' },
      });
    });

    it('records a refused public write under the name its body tried, escaped', async () => {
      const { saved, audit } = service();
      const tried = request('POST', '/api/v1/things/enter', { body: { name: 'admin\u0000' } });
      await audit.recordResponse(tried, 400, errorBody('VALIDATION_FAILED'));
      const noName = request('POST', '/api/v1/things/enter', { body: { name: 7 } });
      await audit.recordResponse(noName, 400, errorBody('VALIDATION_FAILED'));
      expect(saved.map((e) => [e.action, e.actorId, e.actorUsername])).toEqual([
        ['thing.enter', null, 'admin\\u0000'],
        ['thing.enter', null, null],
      ]);
    });

    it('skips reads, and anonymous writes refused on protected or unknown routes', async () => {
      const { saved, audit } = service();
      await audit.recordResponse(request('GET', '/api/v1/things/:id', { principal }), 200, '{}');
      await audit.recordResponse(
        request('PUT', '/api/v1/things/:id'),
        401,
        errorBody('UNAUTHENTICATED'),
      );
      await audit.recordResponse(request('POST', undefined), 404, errorBody('NOT_FOUND'));
      expect(saved).toEqual([]);
    });

    it('records a signed-in user’s write to an unknown route by its path', async () => {
      const { saved, audit } = service();
      await audit.recordResponse(
        request('DELETE', undefined, { principal }),
        404,
        errorBody('NOT_FOUND'),
      );
      expect(saved[0]).toMatchObject({ action: 'DELETE /nowhere', status: 404 });
    });

    it('resolves the principal of a write refused before the guard ran', async () => {
      const { saved, audit } = service();
      const principalOf = jest.fn(async () => principal);
      await audit.recordResponse(
        request('POST', '/api/v1/things/poke'),
        415,
        errorBody('UNSUPPORTED_MEDIA_TYPE'),
        principalOf,
      );
      expect(saved[0]).toMatchObject({
        actorId: 'u-1',
        actorUsername: 'alice',
        action: 'thing.poke',
        status: 415,
      });
      // Reads, writes with a principal and writes whose handler named an actor need no lookup.
      await audit.recordResponse(request('GET', '/api/v1/things/:id'), 200, '{}', principalOf);
      await audit.recordResponse(
        request('PUT', '/api/v1/things/:id', { principal }),
        200,
        '{}',
        principalOf,
      );
      expect(principalOf).toHaveBeenCalledTimes(1);
    });

    it('still skips a refused write whose token names no session', async () => {
      const { saved, audit } = service();
      await audit.recordResponse(
        request('POST', undefined),
        404,
        errorBody('NOT_FOUND'),
        async () => null,
      );
      expect(saved).toEqual([]);
    });

    it('keeps an entry holding control characters, written as visible escapes', async () => {
      const { saved, audit } = service();
      const req = request('PUT', '/api/v1/things/:id', { params: { id: 'x\u0000y' } });
      auditNoteOf(req).actor = { id: null, username: 'admin\u0000\u001b[31m' };
      await audit.recordResponse(req, 400, errorBody('VALIDATION_FAILED'));
      expect(saved[0]).toMatchObject({
        actorUsername: 'admin\\u0000\\u001b[31m',
        target: 'x\\u0000y',
        details: { code: 'VALIDATION_FAILED' },
      });
    });

    it('cuts an escaped value to its column', async () => {
      const { saved, audit } = service();
      const req = request('POST', '/api/v1/things/poke', { principal });
      auditNoteOf(req).target = '\u0000'.repeat(255);
      await audit.recordResponse(req, 200, '{}');
      expect(saved[0]?.target).toHaveLength(255);
    });

    it('loses the entry with a log line rather than fail the finished write', async () => {
      const { audit } = service({ insert: () => Promise.reject(new Error('disk full')) });
      const log = jest.spyOn(audit['logger'], 'error').mockImplementation(() => undefined);
      await expect(
        audit.recordResponse(request('POST', '/api/v1/things/poke', { principal }), 200, '{}'),
      ).resolves.toBeUndefined();
      expect(log).toHaveBeenCalledWith(expect.stringContaining('audit entry lost (thing.poke'));
    });
  });

  describe(escapeControlCharacters.name, () => {
    it('writes C0, DEL and C1 controls as \\uXXXX and leaves the rest', () => {
      expect(escapeControlCharacters('a\u0000b\tc\u007fd\u0085é')).toBe(
        'a\\u0000b\\u0009c\\u007fd\\u0085é',
      );
    });
  });

  describe(targetFromParams.name, () => {
    it('gives the single parameter, name=value pairs for several, null for none', () => {
      expect(targetFromParams({ id: 'a' })).toBe('a');
      expect(targetFromParams({ agent: 'a', pid: '7' })).toBe('agent=a,pid=7');
      expect(targetFromParams({})).toBeNull();
      expect(targetFromParams(undefined)).toBeNull();
    });
  });
});
