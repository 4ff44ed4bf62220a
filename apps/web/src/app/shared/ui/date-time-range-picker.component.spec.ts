import type { ComponentFixture } from '@angular/core/testing';
import { TestBed } from '@angular/core/testing';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import type { TimePrefs } from '../format/time-format';
import type { PickedRange } from './date-time-range-picker.component';
import { DateTimeRangePickerComponent } from './date-time-range-picker.component';

const NOW = new Date('2026-01-15T12:00:00.000Z');
const UTC24: TimePrefs = { hourCycle: '24', timeZone: 'UTC' };
const UTC12: TimePrefs = { hourCycle: '12', timeZone: 'UTC' };

describe(DateTimeRangePickerComponent.name, () => {
  let fixture: ComponentFixture<DateTimeRangePickerComponent>;
  let el: HTMLElement;
  let applied: PickedRange[];

  function render(prefs: TimePrefs, from = '2026-01-15T09:30:00Z', to = '2026-01-15T11:05:00Z') {
    TestBed.configureTestingModule({ providers: [provideNoopAnimations()] });
    fixture = TestBed.createComponent(DateTimeRangePickerComponent);
    fixture.componentRef.setInput('from', new Date(from));
    fixture.componentRef.setInput('to', new Date(to));
    fixture.componentRef.setInput('now', NOW);
    fixture.componentRef.setInput('prefs', prefs);
    applied = [];
    fixture.componentInstance.applied.subscribe((r) => applied.push(r));
    fixture.detectChanges();
    el = fixture.nativeElement as HTMLElement;
  }

  function input(id: string): HTMLInputElement {
    const found = el.querySelector<HTMLInputElement>(`[data-testid="${id}"]`);
    if (!found) throw new Error(`${id} is not rendered`);
    return found;
  }
  const text = (id: string) => el.querySelector(`[data-testid="${id}"]`)?.textContent?.trim();

  function type(id: string, value: string): void {
    input(id).value = value;
    input(id).dispatchEvent(new Event('input'));
    fixture.detectChanges();
  }

  function apply(): void {
    input('custom-apply').click();
    fixture.detectChanges();
  }

  // A day cell of the calendar's month view, by its day number.
  function clickDay(day: number): void {
    const cells = Array.from(el.querySelectorAll<HTMLElement>('.mat-calendar-body-cell'));
    const cell = cells.find((c) => c.textContent?.trim() === String(day));
    if (!cell) throw new Error(`day ${day} is not on the calendar`);
    cell.click();
    fixture.detectChanges();
  }

  it('opens on the given range, on a 24-hour UTC clock, and applies it unchanged', () => {
    render(UTC24);
    expect(input('custom-from').value).toBe('09:30');
    expect(input('custom-to').value).toBe('11:05');
    expect(text('custom-from-day')).toBe('Thu, Jan 15, 2026');
    expect(text('custom-zone')).toContain('24-hour clock, UTC');
    expect(text('custom-summary')).toBe('Jan 15, 2026, 09:30 – Jan 15, 2026, 11:05');
    // No native date inputs: the calendar and typed times are the app's own.
    expect(el.querySelector('input[type="date"], input[type="datetime-local"]')).toBeNull();
    apply();
    expect(applied.map((r) => [r.from.toISOString(), r.to.toISOString()])).toEqual([
      ['2026-01-15T09:30:00.000Z', '2026-01-15T11:05:00.000Z'],
    ]);
  });

  it('writes and reads times on a 12-hour clock when that is the choice', () => {
    render(UTC12);
    expect(input('custom-from').value).toBe('09:30 AM');
    type('custom-to', '1:15 am');
    type('custom-from', '12:05 AM');
    apply();
    expect(applied.map((r) => [r.from.toISOString(), r.to.toISOString()])).toEqual([
      ['2026-01-15T00:05:00.000Z', '2026-01-15T01:15:00.000Z'],
    ]);
  });

  it('picks the first and the last day on the calendar', () => {
    render(UTC24);
    clickDay(3);
    expect(text('custom-zone')).toContain('Now pick the last day.');
    clickDay(10);
    expect(text('custom-from-day')).toBe('Sat, Jan 3, 2026');
    expect(text('custom-to-day')).toBe('Sat, Jan 10, 2026');
    apply();
    expect(applied.map((r) => [r.from.toISOString(), r.to.toISOString()])).toEqual([
      ['2026-01-03T09:30:00.000Z', '2026-01-10T11:05:00.000Z'],
    ]);
  });

  it('says what is wrong and applies nothing', () => {
    render(UTC24);
    type('custom-from', '25:00');
    expect(text('custom-error')).toBe('Enter the times like 09:30.');
    type('custom-from', '11:30');
    type('custom-to', '10:00');
    apply();
    expect(text('custom-error')).toBe('The start must be before the end.');
    expect(applied).toEqual([]);
  });
});
