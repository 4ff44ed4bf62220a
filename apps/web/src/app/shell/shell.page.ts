import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { Router, RouterOutlet } from '@angular/router';
import { AlertBellComponent } from '../alerts/alert-bell.component';
import { CanDirective } from '../auth/can.directive';
import { AuthStore } from '../auth/auth.store';
import { AppToolbarComponent } from '../shared/ui/app-toolbar.component';
import { MainNavComponent } from './main-nav.component';

// Frame of every signed-in page: the toolbar above the routed feature.
@Component({
  selector: 'tyto-shell',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet, AppToolbarComponent, MainNavComponent, AlertBellComponent, CanDirective],
  template: `
    <tyto-app-toolbar [username]="auth.username()" (logout)="logout()">
      <tyto-main-nav />
      <tyto-alert-bell *tytoCan="'alerts:view'" />
    </tyto-app-toolbar>
    <main>
      <router-outlet />
    </main>
  `,
  styles: `
    main {
      padding: 16px;
      max-width: 1400px;
      margin: 0 auto;
    }
  `,
})
export class ShellPage {
  protected readonly auth = inject(AuthStore);
  private readonly router = inject(Router);

  protected async logout(): Promise<void> {
    await this.auth.logout();
    await this.router.navigateByUrl('/login');
  }
}
