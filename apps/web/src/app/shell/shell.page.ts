import { BreakpointObserver } from '@angular/cdk/layout';
import {
  ChangeDetectionStrategy,
  Component,
  HostListener,
  Injector,
  inject,
  signal,
} from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatSidenavModule } from '@angular/material/sidenav';
import { Router, RouterOutlet } from '@angular/router';
import { map } from 'rxjs';
import { AlertBellComponent } from '../alerts/alert-bell.component';
import { CanDirective } from '../auth/can.directive';
import { AuthStore } from '../auth/auth.store';
import { ThemeStore } from '../core/theme.store';
import { AppToolbarComponent } from '../shared/ui/app-toolbar.component';
import { MainNavComponent } from './main-nav.component';

// Below this width the links no longer fit beside the brand and the user: they move to a drawer.
export const NARROW_QUERY = '(max-width: 959.98px)';
// Phones: the toolbar also drops the username and the theme's name.
export const PHONE_QUERY = '(max-width: 599.98px)';

// Frame of every signed-in page: the toolbar (with the nav on wide screens) above the routed
// feature, and a drawer holding the nav on narrow screens.
@Component({
  selector: 'tyto-shell',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    RouterOutlet,
    MatSidenavModule,
    AppToolbarComponent,
    MainNavComponent,
    AlertBellComponent,
    CanDirective,
  ],
  template: `
    <mat-sidenav-container class="container">
      <mat-sidenav
        mode="over"
        [opened]="narrow() && drawerOpen()"
        (closedStart)="drawerOpen.set(false)"
        data-testid="nav-drawer"
      >
        <!-- Only on narrow screens, so each link exists once on the page. -->
        @if (narrow()) {
          <tyto-main-nav [vertical]="true" (navigated)="drawerOpen.set(false)" />
        }
      </mat-sidenav>
      <mat-sidenav-content>
        <tyto-app-toolbar
          [username]="auth.username()"
          [menuButton]="narrow()"
          [menuOpen]="drawerOpen()"
          [compact]="phone()"
          [themeLabel]="theme.label()"
          (menu)="drawerOpen.set(!drawerOpen())"
          (theme)="theme.next()"
          (logout)="logout()"
        >
          @if (!narrow()) {
            <tyto-main-nav />
          }
          <tyto-alert-bell *tytoCan="'alerts:view'" />
        </tyto-app-toolbar>
        <main>
          <router-outlet />
        </main>
      </mat-sidenav-content>
    </mat-sidenav-container>
  `,
  styles: `
    .container {
      min-height: 100%;
      background: transparent;
    }
    main {
      padding: 16px;
      max-width: 1600px;
      margin: 0 auto;
      box-sizing: border-box;
    }
    @media (max-width: 599.98px) {
      main {
        padding: 12px 8px;
      }
    }
    mat-sidenav {
      width: 240px;
    }
  `,
})
export class ShellPage {
  protected readonly auth = inject(AuthStore);
  protected readonly theme = inject(ThemeStore);
  private readonly router = inject(Router);
  private readonly breakpoints = inject(BreakpointObserver);
  private readonly injector = inject(Injector);
  private paletteOpen = false;

  protected readonly narrow = toSignal(
    this.breakpoints.observe(NARROW_QUERY).pipe(map((state) => state.matches)),
    { initialValue: false },
  );
  protected readonly phone = toSignal(
    this.breakpoints.observe(PHONE_QUERY).pipe(map((state) => state.matches)),
    { initialValue: false },
  );
  protected readonly drawerOpen = signal(false);

  // Ctrl-K (⌘-K on a Mac) anywhere: the command palette, loaded on first use so the dialog code
  // stays out of the initial bundle.
  @HostListener('document:keydown', ['$event'])
  protected onKey(event: KeyboardEvent): void {
    if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== 'k') return;
    event.preventDefault();
    if (!this.paletteOpen) void this.openPalette();
  }

  private async openPalette(): Promise<void> {
    this.paletteOpen = true;
    try {
      const [{ MatDialog }, { CommandPaletteComponent }] = await Promise.all([
        import('@angular/material/dialog'),
        import('./command-palette.component'),
      ]);
      const ref = this.injector.get(MatDialog).open(CommandPaletteComponent, {
        position: { top: '12vh' },
        ariaLabel: 'Go to a page or host',
        autoFocus: 'first-tabbable',
      });
      ref.afterClosed().subscribe(() => (this.paletteOpen = false));
    } catch {
      this.paletteOpen = false;
    }
  }

  protected async logout(): Promise<void> {
    await this.auth.logout();
    await this.router.navigateByUrl('/login');
  }
}
