import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { RouterLink } from '@angular/router';
import type { AlertLevel, Channel, ChannelType, CreateChannelRequest } from '@tyto/contracts';
import { ALERT_LEVELS, CHANNEL_TYPES } from '@tyto/contracts';
import { firstValueFrom } from 'rxjs';
import { errorMessage } from '../core/http';
import { AlertsApi } from './alerts.api';

// Notification channels (alerts:manage): each with its last success and last error.
import { TimePipe } from '../shared/format/time.pipe';

@Component({
  selector: 'tyto-channels-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    TimePipe,
    ReactiveFormsModule,
    RouterLink,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
  ],
  template: `
    <header class="head">
      <h1>Notification channels</h1>
      <a mat-button routerLink="/alerts">Back to alerts</a>
    </header>
    @if (error(); as e) {
      <p class="error" role="alert" data-testid="channels-error">{{ e }}</p>
    }
    @for (c of channels(); track c.id) {
      <mat-card appearance="outlined" class="channel" data-testid="channel-card">
        <h2>
          {{ c.name }} <small>{{ c.type }}</small>
        </h2>
        <p class="code">{{ c.url ?? c.email?.to?.join(', ') }}</p>
        <p>
          From {{ c.min_level }};
          {{ c.agent_ids ? 'hosts ' + c.agent_ids.join(', ') : 'every host' }}; reminders
          {{ c.repeat_interval ? 'every ' + c.repeat_interval + ' s' : 'off' }}; resolved
          {{ c.send_resolved ? 'sent' : 'not sent' }}; secret {{ c.has_secret ? 'set' : 'none' }}
        </p>
        <p>
          Last success:
          {{ c.last_success_at ? (c.last_success_at | time: 'datetime') : 'never' }}
          @if (c.last_error) {
            <br /><span class="error"
              >Last error ({{ c.last_error_at | time: 'datetime' }}): {{ c.last_error }}</span
            >
          }
        </p>
        <button mat-stroked-button type="button" (click)="test(c)" data-testid="channel-test">
          Send test
        </button>
        <button mat-button type="button" (click)="remove(c)">Delete</button>
      </mat-card>
    } @empty {
      <p>No channels yet.</p>
    }

    <h2>New channel</h2>
    <form class="form" [formGroup]="form" (ngSubmit)="create()" data-testid="channel-form">
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Name</mat-label>
        <input matInput formControlName="name" />
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Type</mat-label>
        <mat-select formControlName="type">
          @for (t of types; track t) {
            <mat-option [value]="t">{{ t }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Minimum level</mat-label>
        <mat-select formControlName="min_level">
          @for (l of levels; track l) {
            <mat-option [value]="l">{{ l }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      @if (form.controls.type.value === 'email') {
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>SMTP host</mat-label>
          <input matInput formControlName="smtp_host" />
        </mat-form-field>
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>Port</mat-label>
          <input matInput type="number" formControlName="smtp_port" />
        </mat-form-field>
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>Security</mat-label>
          <mat-select formControlName="smtp_security">
            <mat-option value="starttls">STARTTLS</mat-option>
            <mat-option value="tls">TLS</mat-option>
            <mat-option value="none">none</mat-option>
          </mat-select>
        </mat-form-field>
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>Username</mat-label>
          <input matInput formControlName="smtp_username" />
        </mat-form-field>
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>From</mat-label>
          <input matInput formControlName="from" />
        </mat-form-field>
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>To (comma-separated)</mat-label>
          <input matInput formControlName="to" />
        </mat-form-field>
      } @else {
        <mat-form-field appearance="outline" subscriptSizing="dynamic" class="wide">
          <mat-label>URL</mat-label>
          <input matInput formControlName="url" />
        </mat-form-field>
      }
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Secret (HMAC key, password or token)</mat-label>
        <input matInput type="password" formControlName="secret" autocomplete="off" />
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Hosts (comma-separated; empty: all)</mat-label>
        <input matInput formControlName="hosts" />
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Reminder every (s, 0: off)</mat-label>
        <input matInput type="number" formControlName="repeat_interval" />
      </mat-form-field>
      <button mat-flat-button type="submit" [disabled]="form.invalid">Create</button>
    </form>
  `,
  styles: `
    .head {
      display: flex;
      align-items: center;
      gap: 16px;
    }
    .channel {
      padding: 12px;
      margin-bottom: 12px;
    }
    .form {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
    }
    .wide {
      min-width: 360px;
    }
    .code {
      font-family: ui-monospace, monospace;
    }
    .error {
      color: var(--mat-sys-error, #b3261e);
    }
  `,
})
export class ChannelsPage {
  private readonly api = inject(AlertsApi);
  protected readonly channels = signal<readonly Channel[]>([]);
  protected readonly error = signal<string | null>(null);
  protected readonly types = CHANNEL_TYPES;
  protected readonly levels = ALERT_LEVELS;
  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', Validators.required],
    type: 'webhook' as ChannelType,
    min_level: 'warning' as AlertLevel,
    url: '',
    smtp_host: '',
    smtp_port: 587,
    smtp_security: 'starttls' as 'tls' | 'starttls' | 'none',
    smtp_username: '',
    from: '',
    to: '',
    secret: '',
    hosts: '',
    repeat_interval: 0,
  });

  constructor() {
    void this.load();
  }

  protected async create(): Promise<void> {
    const v = this.form.getRawValue();
    const list = (s: string) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    const body: CreateChannelRequest = {
      name: v.name.trim(),
      type: v.type,
      min_level: v.min_level,
      repeat_interval: Number(v.repeat_interval),
      agent_ids: list(v.hosts).length ? list(v.hosts) : null,
      secret: v.secret || undefined,
      ...(v.type === 'email'
        ? {
            email: {
              host: v.smtp_host.trim(),
              port: Number(v.smtp_port),
              security: v.smtp_security,
              username: v.smtp_username.trim() || null,
              from: v.from.trim(),
              to: list(v.to),
            },
          }
        : { url: v.url.trim() }),
    };
    if (await this.run(() => firstValueFrom(this.api.createChannel(body)))) this.form.reset();
  }

  protected async test(c: Channel): Promise<void> {
    await this.run(() => firstValueFrom(this.api.testChannel(c.id)));
    // The delivery is queued: its outcome shows on the card a moment later.
    setTimeout(() => void this.load(), 2000);
  }

  protected async remove(c: Channel): Promise<void> {
    await this.run(() => firstValueFrom(this.api.removeChannel(c.id)));
  }

  private async run(action: () => Promise<unknown>): Promise<boolean> {
    try {
      await action();
      this.error.set(null);
      await this.load();
      return true;
    } catch (err) {
      this.error.set(err instanceof HttpErrorResponse ? errorMessage(err) : String(err));
      return false;
    }
  }

  private async load(): Promise<void> {
    try {
      this.channels.set((await firstValueFrom(this.api.channels())).channels);
    } catch (err) {
      this.error.set(err instanceof HttpErrorResponse ? errorMessage(err) : String(err));
    }
  }
}
