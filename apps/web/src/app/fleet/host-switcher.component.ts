import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  inject,
  input,
  output,
  signal,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatFormFieldModule } from '@angular/material/form-field';
import type { MatSelectChange } from '@angular/material/select';
import { MatSelectModule } from '@angular/material/select';
import { ActivatedRoute, Router } from '@angular/router';
import { LOCAL_AGENT_ID } from '@tyto/contracts';
import { filter, first, map } from 'rxjs';
import { AuthStore } from '../auth/auth.store';
import { FleetApi } from './fleet.api';

interface HostChoice {
  id: string;
  name: string;
}

// The "which host" control: the registry's hosts with agents:view, else the hosts the fleet
// stream's first frame names. On the host page switching keeps the tab (live or history); a page
// that handles the choice itself (processes) sets `navigates` false and listens to `picked`.
@Component({
  selector: 'tyto-host-switcher',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatFormFieldModule, MatSelectModule],
  template: `
    <mat-form-field appearance="outline" subscriptSizing="dynamic" class="switcher">
      <mat-label>Host</mat-label>
      <mat-select data-testid="host-switcher" [value]="agentId()" (selectionChange)="go($event)">
        @for (h of choices(); track h.id) {
          <mat-option [value]="h.id">{{ h.name }}</mat-option>
        }
        @if (!known(agentId())) {
          <mat-option [value]="agentId()">{{ agentId() }}</mat-option>
        }
      </mat-select>
    </mat-form-field>
  `,
  styles: `
    .switcher {
      width: 220px;
    }
  `,
})
export class HostSwitcherComponent {
  readonly agentId = input.required<string>();
  readonly navigates = input(true);
  readonly picked = output<string>();

  private readonly api = inject(FleetApi);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly choices = signal<HostChoice[]>([{ id: LOCAL_AGENT_ID, name: LOCAL_AGENT_ID }]);

  constructor() {
    if (inject(AuthStore).can('agents:view')) {
      this.api
        .agents()
        .pipe(takeUntilDestroyed(this.destroyRef))
        .subscribe({
          next: (res) =>
            this.choices.set(
              res.agents
                .filter((a) => a.status !== 'pending')
                .map((a) => ({ id: a.id, name: a.id === a.name ? a.id : `${a.name} (${a.id})` })),
            ),
          error: () => undefined,
        });
    } else {
      this.api
        .frames()
        .pipe(
          filter((e) => e.kind === 'sample'),
          first(),
          map((e) => (e.kind === 'sample' ? e.sample.samples : [])),
          takeUntilDestroyed(this.destroyRef),
        )
        .subscribe({
          next: (samples) =>
            this.choices.set(
              samples
                .map((s) => ({ id: s.agent_id, name: s.agent_id }))
                .sort((a, b) => a.id.localeCompare(b.id)),
            ),
          error: () => undefined,
        });
    }
  }

  protected known(id: string): boolean {
    return this.choices().some((c) => c.id === id);
  }

  protected go(change: MatSelectChange<string>): void {
    this.picked.emit(change.value);
    if (!this.navigates()) return;
    const onHistory = this.router.url.split('?')[0].endsWith('/history');
    void this.router.navigate(['/host', change.value, ...(onHistory ? ['history'] : [])], {
      relativeTo: this.route,
    });
  }
}
