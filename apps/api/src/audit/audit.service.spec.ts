import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Principal } from '../common/principal';
import { AuditAction, auditNoteOf } from './audit.decorator';
import type { AuditRepository, NewAuditEntry } from './audit.repository';
import { AuditService, targetFromParams } from './audit.service';

class Handlers {
  unnamed(): string {
    return 'unnamed';
  }
  @AuditAction('thing.poke')
  named(): string {
    return 'named';
  }
}

const principal = { userId: 'u-1', username: 'alice' } as Principal;

/** An execution context over a fake Fastify request. */
function context(handler: keyof Handlers, req: Record<string, unknown>): ExecutionContext {
  const request = {
    method: 'POST',
    url: '/x',
    routeOptions: {},
    params: {},
    ip: '10.1.2.3',
    ...req,
  };
  return {
    getHandler: () => Handlers.prototype[handler],
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

function service() {
  const saved: NewAuditEntry[] = [];
  const repo = { insert: async (e: NewAuditEntry) => void saved.push(e) };
  return { saved, audit: new AuditService(repo as unknown as AuditRepository, new Reflector()) };
}

describe(AuditService.name, () => {
  describe('recordRequest', () => {
    it('names an unnamed write by method and declared route, targeting its parameter', async () => {
      const { saved, audit } = service();
      const ctx = context('unnamed', {
        method: 'PUT',
        routeOptions: { url: '/api/v1/things/:id' },
        params: { id: 't-9' },
        principal,
      });
      await audit.recordRequest(ctx, 200, null);
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
      const req = { principal };
      const ctx = context('named', req);
      Object.assign(auditNoteOf(ctx.switchToHttp().getRequest()), {
        actor: { id: null, username: 'tried-name' },
        target: 'created-id',
        details: { size: 3 },
      });
      await audit.recordRequest(ctx, 409, 'CONFLICT');
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

    it('records an anonymous write without an actor', async () => {
      const { saved, audit } = service();
      await audit.recordRequest(context('unnamed', {}), 400, 'VALIDATION_FAILED');
      expect(saved[0]).toMatchObject({ actorId: null, actorUsername: null, action: 'POST /x' });
    });

    it('loses the entry with a log line rather than fail the finished write', async () => {
      const repo = { insert: () => Promise.reject(new Error('disk full')) };
      const audit = new AuditService(repo as unknown as AuditRepository, new Reflector());
      const log = jest.spyOn(audit['logger'], 'error').mockImplementation(() => undefined);
      await expect(audit.recordRequest(context('named', {}), 200, null)).resolves.toBeUndefined();
      expect(log).toHaveBeenCalledWith(expect.stringContaining('audit entry lost (thing.poke'));
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
