import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatToolbarModule } from '@angular/material/toolbar';

// The bar over every page: a menu button (narrow screens), the brand, the navigation the page
// projects, the theme switch and the user.
@Component({
  selector: 'tyto-app-toolbar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatToolbarModule],
  template: `
    <mat-toolbar>
      @if (menuButton()) {
        <button
          mat-icon-button
          type="button"
          aria-label="Menu"
          [attr.aria-expanded]="menuOpen()"
          (click)="menu.emit()"
          data-testid="nav-menu"
        >
          <span aria-hidden="true" class="burger">☰</span>
        </button>
      }
      <span class="brand">Tyto</span>
      <!-- Navigation the page puts here. -->
      <ng-content />
      <span class="spacer"></span>
      <button
        mat-button
        type="button"
        class="theme"
        [attr.aria-label]="themeLabel()"
        [title]="themeLabel()"
        (click)="theme.emit()"
        data-testid="theme-toggle"
      >
        <span aria-hidden="true">◐</span>
        @if (!compact()) {
          <span class="theme-name">{{ themeLabel() }}</span>
        }
      </button>
      @if (username()) {
        @if (!compact()) {
          <span class="user" data-testid="current-user">{{ username() }}</span>
        } @else {
          <span class="sr-only" data-testid="current-user">{{ username() }}</span>
        }
        <button mat-stroked-button type="button" (click)="logout.emit()" data-testid="logout">
          Log out
        </button>
      }
    </mat-toolbar>
  `,
  styles: `
    mat-toolbar {
      gap: 12px;
      padding: 0 8px 0 12px;
    }
    .brand {
      font-weight: 600;
      letter-spacing: 0.02em;
    }
    .burger {
      font-size: 22px;
      line-height: 1;
    }
    .spacer {
      flex: 1;
    }
    .user,
    .theme-name {
      font-size: 14px;
    }
    .theme-name {
      margin-left: 6px;
    }
  `,
})
export class AppToolbarComponent {
  readonly username = input('');
  // Narrow screen: the nav lives in a drawer this button opens, and the bar drops its labels.
  readonly menuButton = input(false);
  readonly menuOpen = input(false);
  readonly compact = input(false);
  readonly themeLabel = input('Theme');
  readonly logout = output();
  readonly menu = output();
  readonly theme = output();
}
