import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { RouterLink } from '@angular/router';
import type { Agent, PendingEnrollment } from '@tyto/contracts';
import { AGENT_ID_PATTERN } from '@tyto/contracts';
import { firstValueFrom } from 'rxjs';
import { AuthStore } from '../auth/auth.store';
import { CanDirective } from '../auth/can.directive';
import { LoadingBlockComponent } from '../shared/ui/loading-block.component';
import type { ConfirmDialogData } from './confirm-dialog.component';
import { ConfirmDialogComponent } from './confirm-dialog.component';
import { AgentsStore } from './agents.store';

const STATUS_LABEL: Record<Agent['status'], string> = {
  online: 'Online',
  offline: 'Offline',
  pending: 'Pending',
  revoked: 'Revoked',
};

// The fleet's registry: who may send samples, who is waiting to, and how to add a host.
import { TimePipe } from '../shared/format/time.pipe';

@Component({
  selector: 'tyto-agents-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [AgentsStore],
  imports: [
    TimePipe,
    ReactiveFormsModule,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    RouterLink,
    CanDirective,
    LoadingBlockComponent,
  ],
  template: `
    <header class="top">
      <h1>Agents</h1>
      <span class="spacer"></span>
      <button
        *tytoCan="'agents:manage'"
        mat-flat-button
        type="button"
        data-testid="add-host"
        (click)="openAdd()"
      >
        Add host
      </button>
    </header>

    @if (store.notice(); as notice) {
      <p class="notice" role="status" data-testid="agents-notice">{{ notice }}</p>
    }

    @if (adding()) {
      <mat-card appearance="outlined" class="section" data-testid="add-host-card">
        <mat-card-header><mat-card-title>Add a host</mat-card-title></mat-card-header>
        <mat-card-content>
          @if (store.created(); as created) {
            <p>
              Run this on <strong>{{ created.agent.name }}</strong> as root. The token in it works
              once, until {{ created.expires_at | time: 'datetime' }}; the host is approved as it
              enrolls.
            </p>
            <div class="command">
              <code data-testid="install-command">{{ created.command }}</code>
              <button
                mat-stroked-button
                type="button"
                data-testid="copy-command"
                (click)="copy(created.command)"
              >
                {{ copied() ? 'Copied' : 'Copy' }}
              </button>
            </div>
            <div class="actions">
              <button mat-button type="button" data-testid="add-host-done" (click)="closeAdd()">
                Done
              </button>
            </div>
          } @else {
            <form [formGroup]="form" (ngSubmit)="submitAdd()" class="add-form">
              <mat-form-field appearance="outline">
                <mat-label>Agent id</mat-label>
                <input matInput formControlName="id" data-testid="add-host-id" autocomplete="off" />
                <mat-hint>Lower case, digits, . and -; the name of its certificate</mat-hint>
                @if (form.controls.id.hasError('pattern')) {
                  <mat-error>Use lower case letters, digits, . and - (up to 63)</mat-error>
                }
              </mat-form-field>
              <mat-form-field appearance="outline">
                <mat-label>Display name</mat-label>
                <input matInput formControlName="name" data-testid="add-host-name" />
              </mat-form-field>
              @if (store.createError(); as error) {
                <p class="error" role="alert" data-testid="add-host-error">{{ error }}</p>
              }
              <div class="actions">
                <button mat-button type="button" (click)="closeAdd()">Cancel</button>
                <button
                  mat-flat-button
                  type="submit"
                  data-testid="add-host-submit"
                  [disabled]="form.invalid || store.busy() === 'create'"
                >
                  Add host
                </button>
              </div>
            </form>
          }
        </mat-card-content>
      </mat-card>
    }

    @if (!store.loaded()) {
      <tyto-loading-block message="Loading agents…" />
    } @else {
      @if (store.pending().length > 0) {
        <mat-card appearance="outlined" class="section" data-testid="pending-card">
          <mat-card-header>
            <mat-card-title>Waiting for approval ({{ store.pending().length }})</mat-card-title>
            <mat-card-subtitle>
              Compare the key fingerprint with the one the agent logged before approving.
            </mat-card-subtitle>
          </mat-card-header>
          <mat-card-content class="scroll">
            <table>
              <thead>
                <tr>
                  <th>Host</th>
                  <th>System</th>
                  <th>From</th>
                  <th>Key fingerprint</th>
                  <th>Requested</th>
                  <th><span class="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                @for (p of store.pending(); track p.id) {
                  <tr data-testid="pending-row" [attr.data-agent-id]="p.agent_id">
                    <td data-label="Host">
                      <strong>{{ p.name }}</strong>
                      <div class="sub">{{ p.agent_id }} · {{ p.hostname }}</div>
                    </td>
                    <td data-label="System">
                      {{ p.os }} {{ p.architecture }} · agent {{ p.version }}
                    </td>
                    <td data-label="From">{{ p.address ?? '–' }}</td>
                    <td data-label="Key fingerprint">
                      <code class="fp">{{ p.public_key_fingerprint }}</code>
                    </td>
                    <td data-label="Requested">{{ p.requested_at | time: 'datetime' }}</td>
                    <td class="row-actions">
                      @if (canManage()) {
                        <button
                          mat-flat-button
                          type="button"
                          data-testid="approve"
                          [disabled]="store.busy() !== null"
                          (click)="store.approve(p)"
                        >
                          Approve
                        </button>
                        <button
                          mat-stroked-button
                          type="button"
                          data-testid="reject"
                          [disabled]="store.busy() !== null"
                          (click)="reject(p)"
                        >
                          Reject
                        </button>
                      }
                    </td>
                  </tr>
                }
              </tbody>
            </table>
          </mat-card-content>
        </mat-card>
      }

      <mat-card appearance="outlined" class="section">
        <mat-card-header>
          <mat-card-title>Hosts ({{ store.agents().length }})</mat-card-title>
        </mat-card-header>
        <mat-card-content class="scroll">
          <table data-testid="agents-table">
            <thead>
              <tr>
                <th>Host</th>
                <th>Status</th>
                <th>Version</th>
                <th>Certificate expires</th>
                <th>Address</th>
                <th>Last seen</th>
                <th><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              @for (a of store.agents(); track a.id) {
                <tr data-testid="agent-row" [attr.data-agent-id]="a.id" [class]="a.status">
                  <td data-label="Host">
                    <a [routerLink]="['/host', a.id]" class="host-link">{{ a.name }}</a>
                    <div class="sub">
                      {{ a.id }}
                      @if (a.hostname) {
                        · {{ a.hostname }}
                      }
                    </div>
                  </td>
                  <td data-label="Status">
                    <span class="chip {{ a.status }}" data-testid="agent-status">{{
                      statusLabel[a.status]
                    }}</span>
                  </td>
                  <td data-label="Version">{{ a.version ?? '–' }}</td>
                  <td data-label="Certificate expires">
                    @if (a.builtin) {
                      <span class="sub">not needed (the hub itself)</span>
                    } @else {
                      {{
                        a.certificate_expires_at
                          ? (a.certificate_expires_at | time: 'datetime')
                          : '–'
                      }}
                    }
                  </td>
                  <td data-label="Address">{{ a.address ?? '–' }}</td>
                  <td data-label="Last seen">
                    {{ a.last_seen ? (a.last_seen | time: 'datetime') : 'never' }}
                  </td>
                  <td class="row-actions">
                    @if (canManage() && !a.builtin) {
                      @if (a.status !== 'revoked') {
                        <button
                          mat-stroked-button
                          type="button"
                          data-testid="revoke"
                          [disabled]="store.busy() !== null"
                          (click)="revoke(a)"
                        >
                          Revoke
                        </button>
                      }
                      <button
                        mat-button
                        type="button"
                        data-testid="delete"
                        [disabled]="store.busy() !== null"
                        (click)="remove(a)"
                      >
                        Delete
                      </button>
                    }
                  </td>
                </tr>
              }
            </tbody>
          </table>
        </mat-card-content>
      </mat-card>
    }

    @if (store.ca(); as ca) {
      <mat-card appearance="outlined" class="section">
        <mat-card-header>
          <mat-card-title>Certificate authority</mat-card-title>
          <mat-card-subtitle>
            Agents pin this fingerprint (--ca-fingerprint) and refuse a hub without it.
          </mat-card-subtitle>
        </mat-card-header>
        <mat-card-content>
          <div class="command">
            <code data-testid="ca-fingerprint">{{ ca.fingerprint }}</code>
            <button mat-stroked-button type="button" (click)="copy(ca.fingerprint)">Copy</button>
          </div>
        </mat-card-content>
      </mat-card>
    }
  `,
  styles: `
    .top {
      display: flex;
      align-items: center;
      gap: 16px;
      margin-bottom: 16px;
    }
    h1 {
      margin: 0;
    }
    .spacer {
      flex: 1;
    }
    .section {
      margin-bottom: 16px;
    }
    .notice {
      margin: 0 0 16px;
    }
    .error {
      color: var(--tyto-critical);
    }
    .add-form {
      display: flex;
      flex-wrap: wrap;
      gap: 8px 16px;
      align-items: flex-start;
    }
    .add-form mat-form-field {
      width: 280px;
      max-width: 100%;
    }
    .actions {
      display: flex;
      justify-content: flex-end;
      gap: 8px;
      width: 100%;
    }
    .command {
      display: flex;
      gap: 8px;
      align-items: flex-start;
    }
    .command code {
      flex: 1;
      min-width: 0;
      padding: 8px 12px;
      border-radius: 8px;
      background: var(--tyto-track);
      font-size: 13px;
      overflow-wrap: anywhere;
      white-space: pre-wrap;
    }
    .scroll {
      overflow-x: auto;
    }
    table {
      width: 100%;
      border-collapse: collapse;
      font-size: 14px;
    }
    th,
    td {
      text-align: left;
      padding: 8px;
      border-bottom: 1px solid var(--tyto-track);
      vertical-align: top;
    }
    th {
      font-weight: 500;
      opacity: 0.75;
      white-space: nowrap;
    }
    .sub {
      font-size: 12px;
      opacity: 0.7;
    }
    td:first-child {
      min-width: 140px;
    }
    .fp {
      font-size: 12px;
      overflow-wrap: anywhere;
    }
    .row-actions {
      white-space: nowrap;
      text-align: right;
    }
    .row-actions button + button {
      margin-left: 8px;
    }
    .host-link {
      color: inherit;
      font-weight: 500;
    }
    tr.revoked .host-link {
      text-decoration: line-through;
    }
    .chip {
      display: inline-block;
      font-size: 12px;
      padding: 2px 8px;
      border-radius: 999px;
      border: 1px solid currentColor;
      white-space: nowrap;
    }
    .chip.online {
      color: var(--tyto-ok);
    }
    .chip.offline {
      color: var(--tyto-warn);
      border-style: dashed;
    }
    .chip.pending {
      border-style: dotted;
    }
    .chip.revoked {
      color: var(--tyto-critical);
    }
    /* Phones: each row becomes a small block of labelled lines, actions included, no scrolling. */
    @media (max-width: 599px) {
      thead {
        display: none;
      }
      tr {
        display: block;
        padding: 8px 0;
        border-bottom: 1px solid var(--tyto-track);
      }
      td {
        display: block;
        border: none;
        padding: 2px 0;
      }
      td:first-child {
        min-width: 0;
      }
      td[data-label]:not(:first-child)::before {
        content: attr(data-label) ': ';
        opacity: 0.7;
      }
      .row-actions {
        text-align: left;
        padding-top: 6px;
      }
    }
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
  `,
})
export class AgentsPage {
  protected readonly store = inject(AgentsStore);
  private readonly auth = inject(AuthStore);
  private readonly dialog = inject(MatDialog);
  private readonly clipboard = inject(Clipboard);

  protected readonly statusLabel = STATUS_LABEL;
  protected readonly adding = signal(false);
  protected readonly copied = signal(false);
  protected readonly form = inject(NonNullableFormBuilder).group({
    id: ['', [Validators.required, Validators.pattern(AGENT_ID_PATTERN)]],
    name: ['', [Validators.required, Validators.maxLength(128)]],
  });

  constructor() {
    this.store.start();
  }

  protected canManage(): boolean {
    return this.auth.can('agents:manage');
  }

  protected openAdd(): void {
    this.store.clearCreated();
    this.form.reset();
    this.copied.set(false);
    this.adding.set(true);
  }

  protected closeAdd(): void {
    this.store.clearCreated();
    this.adding.set(false);
  }

  protected async submitAdd(): Promise<void> {
    if (this.form.invalid) return;
    const { id, name } = this.form.getRawValue();
    await this.store.create({ id, name: name.trim() });
  }

  protected copy(text: string): void {
    this.copied.set(this.clipboard.copy(text));
  }

  protected async reject(p: PendingEnrollment): Promise<void> {
    const ok = await this.confirm({
      title: `Reject ${p.name}?`,
      message: `The enrollment request of ${p.name} (${p.agent_id}, from ${p.address ?? 'an unknown address'}) is refused.`,
      confirm: 'Reject',
    });
    if (ok) await this.store.reject(p);
  }

  protected async revoke(a: Agent): Promise<void> {
    const ok = await this.confirm({
      title: `Revoke ${a.name}?`,
      message: `${a.name} (${a.id}) is disconnected within seconds and its certificate can never connect again.`,
      confirm: 'Revoke',
    });
    if (ok) await this.store.revoke(a);
  }

  protected async remove(a: Agent): Promise<void> {
    const ok = await this.confirm({
      title: `Delete ${a.name}?`,
      message: `${a.name} (${a.id}) is removed from the registry; its certificates stay revoked.`,
      confirm: 'Delete',
    });
    if (ok) await this.store.remove(a);
  }

  private confirm(data: ConfirmDialogData): Promise<boolean> {
    const ref = this.dialog.open<ConfirmDialogComponent, ConfirmDialogData, boolean>(
      ConfirmDialogComponent,
      { data, width: '480px', maxWidth: '95vw' },
    );
    return firstValueFrom(ref.afterClosed()).then((result) => result === true);
  }
}
