import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { SectionCardComponent } from './section-card.component';

@Component({
  imports: [SectionCardComponent],
  template: `
    <tyto-section-card heading="GPUs" [available]="available" [reason]="reason">
      <p data-testid="content">2 GPUs</p>
    </tyto-section-card>
  `,
})
class HostOfCard {
  available = true;
  reason: string | undefined = undefined;
}

describe(SectionCardComponent.name, () => {
  function render(available: boolean, reason?: string): HTMLElement {
    const fixture = TestBed.createComponent(HostOfCard);
    fixture.componentInstance.available = available;
    fixture.componentInstance.reason = reason;
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  it('shows its content while the section is available', () => {
    const el = render(true);
    expect(el.querySelector('mat-card-title')?.textContent).toBe('GPUs');
    expect(el.querySelector('[data-testid="content"]')).not.toBeNull();
    expect(el.querySelector('[data-testid="section-unavailable"]')).toBeNull();
  });

  it("shows the host's reason instead of the content when unavailable", () => {
    const el = render(false, 'nvidia-smi not found');
    expect(el.querySelector('[data-testid="content"]')).toBeNull();
    expect(el.querySelector('[data-testid="section-unavailable"]')?.textContent?.trim()).toBe(
      'Not available on this host: nvidia-smi not found',
    );
  });

  it('still says it is unavailable when no reason was given', () => {
    const el = render(false);
    expect(el.querySelector('[data-testid="section-unavailable"]')?.textContent?.trim()).toBe(
      'Not available on this host.',
    );
  });
});
