import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { RouterLink } from '@angular/router';
import type { AlertRule, AlertRuleRequest, AlertType } from '@tyto/contracts';
import { ALERT_TYPES, isStateAlertType } from '@tyto/contracts';
import { firstValueFrom } from 'rxjs';
import { AuthStore } from '../auth/auth.store';
import { errorMessage } from '../core/http';
import { AlertsApi } from './alerts.api';

type Draft = AlertRule;

// Every rule in force (global first, then hosts' overrides), each row editable in place by
// holders of alerts:manage; the REST contract's thresholds are the cpu, memory and disk rows.
@Component({
  selector: 'tyto-alert-rules-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    FormsModule,
    RouterLink,
    MatButtonModule,
    MatCardModule,
    MatCheckboxModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
  ],
  template: `
    <header class="head">
      <h1>Alert rules</h1>
      <a mat-button routerLink="/alerts">Back to alerts</a>
    </header>
    @if (error(); as e) {
      <p class="error" role="alert" data-testid="rules-error">{{ e }}</p>
    }
    <mat-card appearance="outlined">
      <table class="rules" data-testid="rules-table">
        <thead>
          <tr>
            <th>Rule</th>
            <th>Host</th>
            <th>On</th>
            <th>Warning</th>
            <th>Critical</th>
            <th>For (s)</th>
            <th>Hysteresis</th>
            <th>Level / intervals</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          @for (r of drafts(); track r.id) {
            <tr [attr.data-rule]="r.id" data-testid="rule-row">
              <td class="code">{{ r.type }}</td>
              <td>{{ r.agent_id ?? 'all hosts' }}</td>
              <td>
                <mat-checkbox
                  [(ngModel)]="r.enabled"
                  [disabled]="!manage"
                  [aria-label]="label(r, 'on')"
                />
              </td>
              @if (stateType(r.type)) {
                <td colspan="2">—</td>
              } @else {
                <td>
                  <input
                    class="num"
                    type="number"
                    [(ngModel)]="r.warning"
                    [disabled]="!manage"
                    [attr.aria-label]="label(r, 'warning line')"
                    data-testid="rule-warning"
                  />
                </td>
                <td>
                  <input
                    class="num"
                    type="number"
                    [(ngModel)]="r.critical"
                    [disabled]="!manage"
                    [attr.aria-label]="label(r, 'critical line')"
                    data-testid="rule-critical"
                  />
                </td>
              }
              <td>
                <input
                  class="num"
                  type="number"
                  [(ngModel)]="r.for"
                  [disabled]="!manage"
                  [attr.aria-label]="label(r, 'for, seconds')"
                />
              </td>
              <td>
                <input
                  class="num"
                  type="number"
                  [(ngModel)]="r.hysteresis"
                  [disabled]="!manage || stateType(r.type)"
                  [attr.aria-label]="label(r, 'hysteresis')"
                />
              </td>
              <td>
                @if (r.type === 'host_offline') {
                  <input
                    class="num"
                    type="number"
                    [(ngModel)]="r.intervals"
                    [disabled]="!manage"
                    [attr.aria-label]="label(r, 'missed intervals')"
                  />
                } @else if (stateType(r.type)) {
                  <select
                    [(ngModel)]="r.level"
                    [disabled]="!manage"
                    [attr.aria-label]="label(r, 'level')"
                  >
                    <option value="warning">warning</option>
                    <option value="critical">critical</option>
                  </select>
                }
              </td>
              <td>
                @if (manage) {
                  <button
                    mat-stroked-button
                    type="button"
                    (click)="save(r)"
                    data-testid="rule-save"
                  >
                    Save
                  </button>
                  @if (r.customized) {
                    <button mat-button type="button" (click)="remove(r)">
                      {{ r.agent_id ? 'Remove' : 'Default' }}
                    </button>
                  }
                }
              </td>
            </tr>
          }
        </tbody>
      </table>
    </mat-card>
    @if (manage) {
      <form class="override" (ngSubmit)="addOverride()">
        <h2>Override a rule for one host</h2>
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>Rule</mat-label>
          <mat-select [(ngModel)]="overrideType" name="type">
            @for (t of types; track t) {
              <mat-option [value]="t">{{ t }}</mat-option>
            }
          </mat-select>
        </mat-form-field>
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>Host (agent id)</mat-label>
          <input matInput [(ngModel)]="overrideHost" name="host" />
        </mat-form-field>
        <button mat-flat-button type="submit" [disabled]="!overrideHost.trim()">
          Add override
        </button>
      </form>
    }
  `,
  styles: `
    .head {
      display: flex;
      align-items: center;
      gap: 16px;
    }
    table.rules {
      width: 100%;
      border-collapse: collapse;
    }
    th,
    td {
      text-align: left;
      padding: 4px 6px;
    }
    .num {
      width: 72px;
    }
    .code {
      font-family: ui-monospace, monospace;
    }
    .override {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
      margin-top: 16px;
    }
    .override h2 {
      width: 100%;
      margin: 0;
    }
    .error {
      color: var(--mat-sys-error, #b3261e);
    }
  `,
})
export class AlertRulesPage {
  private readonly api = inject(AlertsApi);
  protected readonly manage = inject(AuthStore).can('alerts:manage');
  protected readonly drafts = signal<Draft[]>([]);
  protected readonly error = signal<string | null>(null);
  protected readonly types = ALERT_TYPES;
  protected overrideType: AlertType = 'memory';
  protected overrideHost = '';

  constructor() {
    void this.load();
  }

  // Each field's name for assistive technology: the column heading alone repeats on every row.
  protected label(r: Draft, field: string): string {
    return `${r.type} on ${r.agent_id ?? 'all hosts'}: ${field}`;
  }

  protected stateType(t: AlertType): boolean {
    return isStateAlertType(t);
  }

  protected async save(r: Draft): Promise<void> {
    const body: AlertRuleRequest = {
      type: r.type,
      agent_id: r.agent_id,
      enabled: r.enabled,
      for: Number(r.for),
      ...(isStateAlertType(r.type)
        ? { level: r.level }
        : {
            warning: r.warning === null ? null : Number(r.warning),
            critical: r.critical === null ? null : Number(r.critical),
            hysteresis: Number(r.hysteresis),
          }),
      ...(r.type === 'host_offline' ? { intervals: Number(r.intervals) } : {}),
    };
    await this.run(() => firstValueFrom(this.api.setRule(body)));
  }

  protected async remove(r: Draft): Promise<void> {
    await this.run(() => firstValueFrom(this.api.removeRule(r.id)));
  }

  protected async addOverride(): Promise<void> {
    const host = this.overrideHost.trim();
    await this.run(() =>
      firstValueFrom(this.api.setRule({ type: this.overrideType, agent_id: host })),
    );
    this.overrideHost = '';
  }

  private async run(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
      this.error.set(null);
      await this.load();
    } catch (err) {
      this.error.set(err instanceof HttpErrorResponse ? errorMessage(err) : String(err));
    }
  }

  private async load(): Promise<void> {
    try {
      const { rules } = await firstValueFrom(this.api.rules());
      this.drafts.set(rules.map((r) => ({ ...r })));
    } catch (err) {
      this.error.set(err instanceof HttpErrorResponse ? errorMessage(err) : String(err));
    }
  }
}
