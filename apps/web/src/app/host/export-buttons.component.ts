import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import type { ExportFormat } from '@tyto/contracts';
import { EXPORT_FORMATS } from '@tyto/contracts';
import type { ExportScope } from './host.store';

// "Export: JSON | CSV" for one thing (the current snapshot, a history range). `busy` names the
// export in flight as `<scope>-<format>`; all buttons wait while one runs.
@Component({
  selector: 'tyto-export-buttons',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule],
  template: `
    <div class="buttons" role="group" [attr.aria-label]="label()">
      <span class="label">{{ label() }}</span>
      @for (format of formats; track format) {
        <button
          mat-stroked-button
          type="button"
          [attr.data-testid]="'export-' + scope() + '-' + format"
          [disabled]="busy() !== null || disabled()"
          (click)="exportAs.emit(format)"
        >
          {{ busy() === scope() + '-' + format ? 'Preparing…' : format.toUpperCase() }}
        </button>
      }
    </div>
    @if (error()) {
      <p class="error" role="alert" data-testid="export-error">{{ error() }}</p>
    }
  `,
  styles: `
    .buttons {
      display: flex;
      align-items: center;
      gap: 8px;
    }
    .label {
      font-size: 14px;
      color: var(--tyto-muted);
    }
    .error {
      color: var(--tyto-critical);
      font-size: 13px;
      margin: 4px 0 0;
    }
  `,
})
export class ExportButtonsComponent {
  readonly scope = input.required<ExportScope>();
  readonly label = input('Export');
  readonly busy = input<string | null>(null);
  readonly error = input<string | null>(null);
  readonly disabled = input(false);
  readonly exportAs = output<ExportFormat>();

  protected readonly formats = EXPORT_FORMATS;
}
