import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatToolbarModule } from '@angular/material/toolbar';

@Component({
  selector: 'tyto-app-toolbar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatToolbarModule],
  template: `
    <mat-toolbar>
      <span class="brand">Tyto</span>
      <!-- Navigation the page puts here. -->
      <ng-content />
      <span class="spacer"></span>
      @if (username()) {
        <span class="user" data-testid="current-user">{{ username() }}</span>
        <button mat-stroked-button type="button" (click)="logout.emit()" data-testid="logout">
          Log out
        </button>
      }
    </mat-toolbar>
  `,
  styles: `
    mat-toolbar {
      gap: 16px;
    }
    .brand {
      font-weight: 600;
      letter-spacing: 0.02em;
    }
    .spacer {
      flex: 1;
    }
    .user {
      font-size: 14px;
    }
  `,
})
export class AppToolbarComponent {
  readonly username = input('');
  readonly logout = output();
}
