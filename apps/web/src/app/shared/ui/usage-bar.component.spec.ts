import { TestBed } from '@angular/core/testing';
import { UsageBarComponent, usageLevel } from './usage-bar.component';

describe(UsageBarComponent.name, () => {
  function render(percent: number): HTMLElement {
    const fixture = TestBed.createComponent(UsageBarComponent);
    fixture.componentRef.setInput('label', '/var');
    fixture.componentRef.setInput('percent', percent);
    fixture.componentRef.setInput('detail', '40 GiB of 100 GiB');
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  it('shows the value and fills the bar to it', () => {
    const el = render(42.25);
    expect(el.querySelector('[data-testid="usage-value"]')?.textContent).toBe('42.3 %');
    expect(el.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')).toBe('42.25');
    expect((el.querySelector('.fill') as HTMLElement).style.width).toBe('42.25%');
    expect(el.textContent).toContain('40 GiB of 100 GiB');
  });

  it('never draws past the track, whatever the host reports', () => {
    const el = render(130);
    expect((el.querySelector('.fill') as HTMLElement).style.width).toBe('100%');
    expect(el.querySelector('.fill')?.classList).toContain('critical');
  });

  describe(usageLevel.name, () => {
    it('turns amber at 75 % and red at 90 %', () => {
      expect([10, 74.9, 75, 89.9, 90].map(usageLevel)).toEqual([
        'ok',
        'ok',
        'warn',
        'warn',
        'critical',
      ]);
    });
  });
});
