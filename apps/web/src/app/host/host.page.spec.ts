import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import { provideRouter } from '@angular/router';
import type { Permission } from '@tyto/contracts';
import { AuthStore } from '../auth/auth.store';
import { HostPage, INTERVAL_CHOICES, intervalChoices, intervalLabel } from './host.page';

describe(HostPage.name, () => {
  let permissions: Permission[];

  beforeEach(() => {
    permissions = ['dashboard:view'];
    TestBed.configureTestingModule({
      providers: [
        provideNoopAnimations(),
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: AuthStore, useValue: { can: (p: Permission) => permissions.includes(p) } },
      ],
    });
  });

  function render(): HTMLElement {
    const fixture = TestBed.createComponent(HostPage);
    fixture.detectChanges();
    TestBed.inject(HttpTestingController)
      .expectOne('/api/v1/settings')
      .flush({ refresh_interval: 5, retention: { raw: 1, '1m': 1, '5m': 1, '1h': 1 } });
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  it('shows the sampling interval to those who may not change it', () => {
    const el = render();
    expect(el.querySelector('[data-testid="refresh-interval"]')).toBeNull();
    expect(el.querySelector('[data-testid="refresh-interval-text"]')?.textContent?.trim()).toBe(
      'Sampled every 5 s',
    );
  });

  it('offers the interval control with settings:manage', () => {
    permissions = ['dashboard:view', 'settings:manage'];
    const el = render();
    expect(el.querySelector('[data-testid="refresh-interval"]')).not.toBeNull();
    expect(el.querySelector('[data-testid="refresh-interval-text"]')).toBeNull();
  });

  describe(intervalChoices.name, () => {
    it('adds an interval set elsewhere to the choices, in order', () => {
      expect(intervalChoices(5)).toBe(INTERVAL_CHOICES);
      expect(intervalChoices(7)).toEqual([1, 2, 5, 7, 10, 15, 30, 60, 300]);
    });
  });

  describe(intervalLabel.name, () => {
    it('uses minutes from one minute on', () => {
      expect([1, 30, 60, 300].map(intervalLabel)).toEqual(['1 s', '30 s', '1 min', '5 min']);
    });
  });
});
