import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatCheckboxModule } from '@angular/material/checkbox';
import type { Permission, PermissionGrant } from '@tyto/contracts';
import type { GrantState, PermissionGroup } from './permission-grants';
import {
  EVERYTHING,
  NOT_YET_AVAILABLE,
  PERMISSION_GROUPS,
  grantState,
  partlyGranted,
  withGrant,
} from './permission-grants';

// Picks a role's grants: the catalogue grouped by resource, each group with its "all of"
// wildcard, and "everything" on top. Emits the whole normalized grant list on every change.
@Component({
  selector: 'tyto-permission-picker',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatCheckboxModule],
  template: `
    <div class="picker" role="group" aria-label="Permissions">
      <mat-checkbox
        [checked]="state(everything).checked"
        [disabled]="readOnly()"
        (change)="toggle(everything, $event.checked)"
        data-testid="grant-*"
      >
        Everything <code>*</code>
      </mat-checkbox>
      <div class="groups">
        @for (group of groups; track group.resource) {
          <fieldset [attr.data-testid]="'grant-group-' + group.resource">
            <legend>
              <mat-checkbox
                [checked]="state(group.wildcard).checked"
                [indeterminate]="partly(group)"
                [disabled]="readOnly() || state(group.wildcard).implied"
                (change)="toggle(group.wildcard, $event.checked)"
                [attr.data-testid]="'grant-' + group.wildcard"
              >
                All of {{ group.resource }} <code>{{ group.wildcard }}</code>
              </mat-checkbox>
            </legend>
            @for (permission of group.permissions; track permission) {
              <mat-checkbox
                [checked]="state(permission).checked"
                [disabled]="readOnly() || state(permission).implied"
                (change)="toggle(permission, $event.checked)"
                [attr.data-testid]="'grant-' + permission"
              >
                {{ permission }}
                @if (notYet(permission)) {
                  <span class="soon">not in this version yet</span>
                }
              </mat-checkbox>
            }
          </fieldset>
        }
      </div>
    </div>
  `,
  styles: `
    .groups {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(220px, 100%), 1fr));
      gap: 8px;
      margin-top: 8px;
    }
    fieldset {
      display: flex;
      flex-direction: column;
      border: 1px solid var(--mat-sys-outline-variant);
      border-radius: 8px;
      padding: 4px 8px 8px;
      margin: 0;
      min-width: 0;
    }
    /* Floated, the legend sits inside the box instead of across its top edge. */
    legend {
      float: left;
      width: 100%;
      padding: 0 0 2px;
      margin-bottom: 2px;
      border-bottom: 1px solid var(--tyto-track);
      font-weight: 500;
    }
    code,
    .soon {
      font-size: 12px;
      color: var(--tyto-muted);
    }
  `,
})
export class PermissionPickerComponent {
  readonly grants = input<readonly string[]>([]);
  // System roles are shown, not edited.
  readonly readOnly = input(false);
  readonly grantsChange = output<PermissionGrant[]>();

  protected readonly groups = PERMISSION_GROUPS;
  protected readonly everything = EVERYTHING;

  private readonly states = computed(() => {
    const grants = this.grants();
    const all = [EVERYTHING, ...this.groups.flatMap((g) => [g.wildcard, ...g.permissions])];
    return new Map<string, GrantState>(all.map((grant) => [grant, grantState(grants, grant)]));
  });

  protected state(grant: string): GrantState {
    return this.states().get(grant) ?? { checked: false, implied: false };
  }

  protected partly(group: PermissionGroup): boolean {
    return partlyGranted(this.grants(), group);
  }

  protected notYet(permission: Permission): boolean {
    return NOT_YET_AVAILABLE.has(permission);
  }

  protected toggle(grant: string, on: boolean): void {
    this.grantsChange.emit(withGrant(this.grants(), grant, on));
  }
}
