import { ChangeDetectionStrategy, Component, computed, inject, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink, RouterLinkActive } from '@angular/router';
import { AuthStore } from '../auth/auth.store';
import { NAV_ITEMS } from './nav-items';

// The signed-in user's way around the app: only the pages their permissions open (the routes
// use the same permissions in permissionGuard). A row in the toolbar on wide screens, a column
// in the drawer on narrow ones.
@Component({
  selector: 'tyto-main-nav',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, RouterLink, RouterLinkActive],
  template: `
    <nav aria-label="Main" [class.vertical]="vertical()">
      @for (item of items(); track item.link) {
        <a
          mat-button
          [routerLink]="item.link"
          routerLinkActive="active"
          ariaCurrentWhenActive="page"
          [routerLinkActiveOptions]="{ exact: item.exact ?? false }"
          [attr.data-testid]="item.testId"
          (click)="navigated.emit()"
          >{{ item.label }}</a
        >
      }
    </nav>
  `,
  styles: `
    nav {
      display: flex;
      gap: 4px;
    }
    nav.vertical {
      flex-direction: column;
      align-items: stretch;
      padding: 8px;
    }
    nav.vertical a {
      justify-content: flex-start;
    }
    .active {
      background: var(--tyto-track);
    }
  `,
})
export class MainNavComponent {
  private readonly auth = inject(AuthStore);
  readonly vertical = input(false);
  // A link was followed: the drawer closes.
  readonly navigated = output();

  protected readonly items = computed(() =>
    NAV_ITEMS.filter((item) => !item.permission || this.auth.can(item.permission)),
  );
}
