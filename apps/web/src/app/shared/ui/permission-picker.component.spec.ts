import type { ComponentFixture } from '@angular/core/testing';
import { TestBed } from '@angular/core/testing';
import type { PermissionGrant } from '@tyto/contracts';
import { PERMISSIONS, PERMISSION_RESOURCES } from '@tyto/contracts';
import {
  PERMISSION_GROUPS,
  grantState,
  normalizeGrants,
  partlyGranted,
  withGrant,
} from './permission-grants';
import { PermissionPickerComponent } from './permission-picker.component';

const alerts = PERMISSION_GROUPS.find((g) => g.resource === 'alerts');

describe('permission grants', () => {
  it('groups the whole catalogue by resource, each with its wildcard', () => {
    expect(PERMISSION_GROUPS.map((g) => g.resource)).toEqual(PERMISSION_RESOURCES);
    expect(PERMISSION_GROUPS.flatMap((g) => g.permissions)).toEqual([...PERMISSIONS]);
    expect(alerts).toEqual({
      resource: 'alerts',
      wildcard: 'alerts:*',
      permissions: ['alerts:view', 'alerts:manage', 'alerts:acknowledge'],
    });
  });

  it('builds the Alert Manager grant list from two clicks', () => {
    let grants = withGrant([], 'alerts:*', true);
    grants = withGrant(grants, 'dashboard:view', true);
    expect(grants).toEqual(['dashboard:view', 'alerts:*']);
  });

  it('lets a wildcard replace the single permissions it covers', () => {
    const grants = withGrant(['alerts:view', 'logs:view'], 'alerts:*', true);
    expect(grants).toEqual(['alerts:*', 'logs:view']);
    expect(withGrant(grants, 'alerts:*', false)).toEqual(['logs:view']);
  });

  it('makes everything the only grant, and unticking it grants nothing', () => {
    expect(withGrant(['alerts:*', 'logs:view'], '*', true)).toEqual(['*']);
    expect(withGrant(['*'], '*', false)).toEqual([]);
  });

  it('keeps every single permission of a resource apart from its wildcard', () => {
    const all = alerts?.permissions ?? [];
    expect(normalizeGrants([...all].reverse())).toEqual([...all]);
    expect(partlyGranted(all, alerts ?? PERMISSION_GROUPS[0])).toBe(true);
  });

  it('drops what the catalogue does not know', () => {
    expect(normalizeGrants(['alerts:view', 'alerts:delete', 'nothing:*'])).toEqual(['alerts:view']);
  });

  it('shows covered permissions as ticked but not separately changeable', () => {
    expect(grantState(['alerts:*'], 'alerts:view')).toEqual({ checked: true, implied: true });
    expect(grantState(['*'], 'alerts:*')).toEqual({ checked: true, implied: true });
    expect(grantState(['alerts:view'], 'alerts:view')).toEqual({ checked: true, implied: false });
    expect(grantState(['alerts:view'], 'alerts:*')).toEqual({ checked: false, implied: false });
  });
});

describe(PermissionPickerComponent.name, () => {
  let fixture: ComponentFixture<PermissionPickerComponent>;
  let emitted: PermissionGrant[][];

  function render(grants: readonly string[], readOnly = false): HTMLElement {
    fixture = TestBed.createComponent(PermissionPickerComponent);
    fixture.componentRef.setInput('grants', grants);
    fixture.componentRef.setInput('readOnly', readOnly);
    emitted = [];
    fixture.componentInstance.grantsChange.subscribe((g) => emitted.push(g));
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  function box(el: HTMLElement, grant: string): HTMLInputElement {
    const input = el.querySelector<HTMLInputElement>(`[data-testid="grant-${grant}"] input`);
    if (!input) throw new Error(`no checkbox for ${grant}`);
    return input;
  }

  it('renders one group per resource with its wildcard and permissions', () => {
    const el = render([]);
    const groups = el.querySelectorAll('fieldset');
    expect(groups).toHaveLength(PERMISSION_RESOURCES.length);
    const alertsGroup = el.querySelector('[data-testid="grant-group-alerts"]');
    expect(alertsGroup?.querySelectorAll('input[type="checkbox"]')).toHaveLength(4);
    expect(alertsGroup?.textContent).toContain('All of alerts');
  });

  it('emits the whole grant list when a box is ticked', () => {
    const el = render(['dashboard:view']);
    box(el, 'alerts:*').click();
    expect(emitted).toEqual([['dashboard:view', 'alerts:*']]);
  });

  it('disables permissions a broader grant covers', () => {
    const el = render(['alerts:*']);
    expect(box(el, 'alerts:view').checked).toBe(true);
    expect(box(el, 'alerts:view').disabled).toBe(true);
    expect(box(el, 'logs:view').disabled).toBe(false);
  });

  it('changes nothing for a read-only (system) role', () => {
    const el = render(['*'], true);
    expect(box(el, '*').checked).toBe(true);
    expect(
      Array.from(el.querySelectorAll<HTMLInputElement>('input')).every((i) => i.disabled),
    ).toBe(true);
  });
});
