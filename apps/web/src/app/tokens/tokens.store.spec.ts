import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { ApiToken } from '@tyto/contracts';
import { tokenRequest } from './token-form.component';
import { TokensStore, tokenState } from './tokens.store';

function token(overrides: Partial<ApiToken> = {}): ApiToken {
  return {
    id: 't1',
    name: 'prometheus',
    permissions: ['metrics:scrape'],
    user_id: 'u1',
    username: 'admin',
    created_at: '2026-12-01T10:00:00.000Z',
    expires_at: null,
    last_used_at: null,
    revoked: false,
    ...overrides,
  };
}

// Lets the store's awaited request reach the testing backend.
const tick = () => new Promise((resolve) => setTimeout(resolve));

describe(TokensStore.name, () => {
  let store: TokensStore;
  let backend: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [TokensStore, provideHttpClient(), provideHttpClientTesting()],
    });
    store = TestBed.inject(TokensStore);
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => backend.verify());

  async function load(scope: 'own' | 'all', tokens: ApiToken[]): Promise<void> {
    const loaded = store.load(scope);
    const url = scope === 'own' ? '/api/v1/tokens' : '/api/v1/admin/tokens';
    backend.expectOne({ method: 'GET', url }).flush({ tokens });
    await loaded;
  }

  describe('create', () => {
    it('keeps the secret of the new token until dismissed, and lists the token', async () => {
      await load('own', []);
      const body = tokenRequest('prometheus', ['metrics:scrape'], 0);
      const created = store.create(body);
      const req = backend.expectOne({ method: 'POST', url: '/api/v1/tokens' });
      expect(req.request.body).toEqual({
        name: 'prometheus',
        permissions: ['metrics:scrape'],
        expires_at: null,
      });
      req.flush({ ...token(), token: 'tyto_secret' });
      await tick();
      backend.expectOne({ method: 'GET', url: '/api/v1/tokens' }).flush({ tokens: [token()] });

      expect(await created).toBe(true);
      expect(store.created()?.token).toBe('tyto_secret');
      expect(store.tokens()).toHaveLength(1);
      store.dismissSecret();
      expect(store.created()).toBeNull();
    });

    it('names the permissions the user lacks when the hub refuses them', async () => {
      await load('own', []);
      const created = store.create(tokenRequest('x', ['users:manage'], 30));
      backend
        .expectOne({ method: 'POST', url: '/api/v1/tokens' })
        .flush(
          { error: 'Forbidden', code: 'FORBIDDEN', details: { missing: ['users:manage'] } },
          { status: 403, statusText: 'Forbidden' },
        );

      expect(await created).toBe(false);
      expect(store.error()?.message).toBe(
        'You do not hold users:manage; a token can only have permissions you have.',
      );
      expect(store.created()).toBeNull();
    });

    it('shows a validation answer on the form', async () => {
      await load('own', []);
      const created = store.create(tokenRequest('x', ['metrics:scrape'], 30));
      backend.expectOne({ method: 'POST', url: '/api/v1/tokens' }).flush(
        {
          error: 'Request validation failed',
          code: 'VALIDATION_FAILED',
          details: { issues: [{ path: 'name', message: 'must not contain control characters' }] },
        },
        { status: 400, statusText: 'Bad Request' },
      );
      expect(await created).toBe(false);
      expect(store.error()?.fields).toEqual({ name: 'must not contain control characters' });
    });
  });

  describe('revoke', () => {
    it('revokes one of the own tokens through /tokens', async () => {
      await load('own', [token()]);
      const revoked = store.revoke(token());
      backend.expectOne({ method: 'DELETE', url: '/api/v1/tokens/t1' }).flush(null);
      await tick();
      backend
        .expectOne({ method: 'GET', url: '/api/v1/tokens' })
        .flush({ tokens: [token({ revoked: true })] });
      await revoked;
      expect(tokenState(store.tokens()[0])).toBe('revoked');
    });

    it("revokes anyone's token through /admin/tokens on the admin page", async () => {
      await load('all', [token({ username: 'alice' })]);
      const revoked = store.revoke(token());
      backend.expectOne({ method: 'DELETE', url: '/api/v1/admin/tokens/t1' }).flush(null);
      await tick();
      backend.expectOne({ method: 'GET', url: '/api/v1/admin/tokens' }).flush({ tokens: [] });
      await revoked;
      expect(store.tokens()).toEqual([]);
    });
  });
});

describe(tokenRequest.name, () => {
  it('trims the name and sets the expiry that many days ahead, or none', () => {
    const now = Date.parse('2026-12-01T00:00:00.000Z');
    expect(tokenRequest(' ci ', ['audit:view'], 30, now)).toEqual({
      name: 'ci',
      permissions: ['audit:view'],
      expires_at: '2026-12-31T00:00:00.000Z',
    });
    expect(tokenRequest('ci', ['audit:view'], 0, now).expires_at).toBeNull();
  });
});

describe(tokenState.name, () => {
  const now = Date.parse('2026-12-01T12:00:00.000Z');
  it('tells active, expired and revoked tokens apart', () => {
    expect(tokenState(token(), now)).toBe('active');
    expect(tokenState(token({ expires_at: '2026-12-01T11:59:59.000Z' }), now)).toBe('expired');
    expect(tokenState(token({ revoked: true }), now)).toBe('revoked');
  });
});
