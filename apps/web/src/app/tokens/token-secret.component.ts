import { CdkCopyToClipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, input, output, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';

// The secret of a token just created, shown this once: the hub keeps only its hash.
@Component({
  selector: 'tyto-token-secret',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [CdkCopyToClipboard, MatButtonModule],
  template: `
    <div class="secret" role="status" data-testid="token-secret">
      <p>
        <strong>{{ name() }}</strong> is ready. Copy its token now: it is shown only this once.
      </p>
      <div class="value">
        <code data-testid="token-secret-value">{{ secret() }}</code>
        <button
          mat-stroked-button
          type="button"
          [cdkCopyToClipboard]="secret()"
          (cdkCopyToClipboardCopied)="copied.set($event)"
          data-testid="token-secret-copy"
        >
          {{ copied() ? 'Copied' : 'Copy' }}
        </button>
      </div>
      <p class="use">
        Send it as <code>Authorization: Bearer …</code>.
        <button mat-button type="button" (click)="done.emit()" data-testid="token-secret-done">
          Done
        </button>
      </p>
    </div>
  `,
  styles: `
    .secret {
      border: 1px solid var(--mat-sys-outline-variant);
      background: var(--mat-sys-surface-container);
      border-radius: 8px;
      padding: 8px 16px;
      margin-bottom: 16px;
    }
    .value {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
    }
    .value code {
      font-family: ui-monospace, monospace;
      font-size: 14px;
      padding: 6px 8px;
      border-radius: 4px;
      background: var(--tyto-track);
      overflow-wrap: anywhere;
      user-select: all;
    }
    .use {
      color: var(--tyto-muted);
      font-size: 14px;
    }
  `,
})
export class TokenSecretComponent {
  readonly name = input.required<string>();
  readonly secret = input.required<string>();
  readonly done = output();
  protected readonly copied = signal(false);
}
