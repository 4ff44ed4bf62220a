import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import type { ComponentFixture } from '@angular/core/testing';
import { TestBed } from '@angular/core/testing';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import { provideRouter } from '@angular/router';
import type { Channel } from '@tyto/contracts';
import { channelOf } from '../../testing/alert-fixtures';
import { ChannelsPage } from './channels.page';

describe(ChannelsPage.name, () => {
  let backend: HttpTestingController;
  let fixture: ComponentFixture<ChannelsPage>;

  const settle = async () => {
    await new Promise((r) => setTimeout(r, 0));
    fixture.detectChanges();
  };
  const el = () => fixture.nativeElement as HTMLElement;
  const field = (name: string) =>
    el().querySelector(`[formcontrolname="${name}"]`) as HTMLInputElement | null;
  const type = (name: string, value: string) => {
    const input = field(name);
    if (!input) throw new Error(`no field ${name}`);
    input.value = value;
    input.dispatchEvent(new Event('input'));
  };

  async function render(channels: Channel[]): Promise<void> {
    TestBed.configureTestingModule({
      providers: [
        provideNoopAnimations(),
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ChannelsPage);
    fixture.detectChanges();
    backend.expectOne('/api/v1/alerts/channels').flush({ channels });
    await settle();
  }

  afterEach(() => {
    fixture.destroy();
    backend.verify();
  });

  it('shows each channel with its scope, secret state, last success and last error', async () => {
    await render([
      channelOf({ last_success_at: '2026-01-15T10:31:00.000Z' }),
      channelOf({
        id: 'c-2',
        name: 'pager',
        type: 'ntfy',
        agent_ids: ['db-01', 'db-02'],
        repeat_interval: 600,
        has_secret: false,
        last_error: 'connect ECONNREFUSED',
        last_error_at: '2026-01-15T10:32:00.000Z',
      }),
    ]);
    const cards = Array.from(el().querySelectorAll('[data-testid="channel-card"]')).map((c) =>
      c.textContent?.replace(/\s+/g, ' '),
    );
    expect(cards[0]).toContain('every host');
    expect(cards[0]).toContain('secret set');
    // In the app's one time format (TimeFormat), not an ISO string.
    expect(cards[0]).toMatch(/Last success: Jan 15, 2026/);
    expect(cards[1]).toContain('hosts db-01, db-02');
    expect(cards[1]).toContain('reminders every 600 s');
    expect(cards[1]).toContain('Last success: never');
    expect(cards[1]).toContain('connect ECONNREFUSED');
    // The secret is never shown, only whether one is set.
    expect(el().textContent).not.toMatch(/hmac-key/);
  });

  it('creates a webhook channel for some hosts, and refuses to submit without a name', async () => {
    await render([]);
    const submit = el().querySelector(
      '[data-testid="channel-form"] button[type="submit"]',
    ) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    type('name', 'ops');
    type('url', ' https://hooks.example.com/x ');
    type('secret', 'hmac-key');
    type('hosts', 'web-01, web-02,');
    fixture.detectChanges();
    expect(submit.disabled).toBe(false);
    (el().querySelector('[data-testid="channel-form"]') as HTMLFormElement).dispatchEvent(
      new Event('submit'),
    );
    const create = backend.expectOne({ method: 'POST', url: '/api/v1/alerts/channels' });
    expect(create.request.body).toEqual({
      name: 'ops',
      type: 'webhook',
      min_level: 'warning',
      repeat_interval: 0,
      agent_ids: ['web-01', 'web-02'],
      secret: 'hmac-key',
      url: 'https://hooks.example.com/x',
    });
    create.flush(channelOf({ name: 'ops' }));
    await settle();
    backend.expectOne('/api/v1/alerts/channels').flush({ channels: [channelOf({ name: 'ops' })] });
    await settle();
    expect(el().querySelectorAll('[data-testid="channel-card"]')).toHaveLength(1);
    expect(field('name')?.value).toBe('');
  });

  it('sends a test message on request and shows the hub’s error', async () => {
    await render([channelOf()]);
    (el().querySelector('[data-testid="channel-test"]') as HTMLButtonElement).click();
    backend
      .expectOne({ method: 'POST', url: '/api/v1/alerts/channels/c-1/test' })
      .flush(
        { error: 'URL points at a link-local address', code: 'VALIDATION_FAILED', details: {} },
        { status: 400, statusText: 'Bad Request' },
      );
    await settle();
    expect(el().querySelector('[data-testid="channels-error"]')?.textContent).toContain(
      'link-local',
    );
  });
});
