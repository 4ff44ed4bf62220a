import type { Principal } from '../common/principal';
import { PrincipalCache } from './principal-cache';

const entry = (userId: string, sessionId: string, loadedAt = 0) => ({
  principal: { userId, sessionId } as Principal,
  expiresAt: Number.MAX_SAFE_INTEGER,
  lastSeenAt: 0,
  loadedAt,
});

describe(PrincipalCache.name, () => {
  it('forgets an entry once it is older than the TTL', () => {
    const cache = new PrincipalCache(10, 1000);
    cache.set('t1', entry('u1', 's1', 0));
    expect(cache.get('t1', 999)?.principal.sessionId).toBe('s1');
    expect(cache.get('t1', 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most its bound, dropping the oldest entry first', () => {
    const cache = new PrincipalCache(2, 60_000);
    cache.set('t1', entry('u1', 's1'));
    cache.set('t2', entry('u2', 's2'));
    cache.set('t3', entry('u3', 's3'));
    expect(cache.size).toBe(2);
    expect(cache.get('t1', 0)).toBeUndefined();
    expect(cache.get('t3', 0)).toBeDefined();
  });

  it('drops every session of one user, one session, or everything', () => {
    const cache = new PrincipalCache(10, 60_000);
    cache.set('a1', entry('alice', 'sa1'));
    cache.set('a2', entry('alice', 'sa2'));
    cache.set('b1', entry('bob', 'sb1'));
    cache.dropUser('alice');
    expect([cache.get('a1', 0), cache.get('a2', 0)]).toEqual([undefined, undefined]);
    expect(cache.get('b1', 0)).toBeDefined();
    cache.set('b2', entry('bob', 'sb2'));
    cache.dropSession('sb1');
    expect(cache.get('b1', 0)).toBeUndefined();
    expect(cache.get('b2', 0)).toBeDefined();
    cache.dropUser();
    expect(cache.size).toBe(0);
  });
});
