import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';

export interface ConfirmSignalData {
  action: string;
  signal: string;
  name: string;
  pid: number;
  host: string;
}

// Names the process and the host before anything is sent.
@Component({
  selector: 'tyto-confirm-signal',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatDialogModule],
  template: `
    <h2 mat-dialog-title>{{ data.action }} {{ data.name }}?</h2>
    <mat-dialog-content data-testid="confirm-signal-text">
      Send {{ data.signal }} to <strong>{{ data.name }}</strong> (pid {{ data.pid }}) on host
      <strong>{{ data.host }}</strong>?
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" [mat-dialog-close]="false">Cancel</button>
      <button mat-flat-button type="button" [mat-dialog-close]="true" data-testid="confirm-signal">
        {{ data.action }}
      </button>
    </mat-dialog-actions>
  `,
})
export class ConfirmSignalDialog {
  protected readonly data = inject<ConfirmSignalData>(MAT_DIALOG_DATA);
}
