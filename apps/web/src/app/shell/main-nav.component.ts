import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink, RouterLinkActive } from '@angular/router';
import { CanDirective } from '../auth/can.directive';

// The signed-in user's way around the app: only the pages their permissions open (the routes
// use the same permissions in permissionGuard).
@Component({
  selector: 'tyto-main-nav',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, RouterLink, RouterLinkActive, CanDirective],
  template: `
    <nav aria-label="Main">
      <a
        *tytoCan="'dashboard:view'"
        mat-button
        routerLink="/"
        routerLinkActive="active"
        [routerLinkActiveOptions]="{ exact: true }"
        data-testid="nav-dashboard"
        >Dashboard</a
      >
      <a
        *tytoCan="'dashboard:view'"
        mat-button
        routerLink="/host/local"
        routerLinkActive="active"
        data-testid="nav-host"
        >Host</a
      >
      <a
        *tytoCan="'logs:view'"
        mat-button
        routerLink="/logs"
        routerLinkActive="active"
        data-testid="nav-logs"
        >Logs</a
      >
      <a
        *tytoCan="'users:view'"
        mat-button
        routerLink="/users"
        routerLinkActive="active"
        data-testid="nav-users"
        >Users</a
      >
      <a
        *tytoCan="'users:view'"
        mat-button
        routerLink="/roles"
        routerLinkActive="active"
        data-testid="nav-roles"
        >Roles</a
      >
      <a
        *tytoCan="'audit:view'"
        mat-button
        routerLink="/audit"
        routerLinkActive="active"
        data-testid="nav-audit"
        >Audit</a
      >
      <a mat-button routerLink="/account" routerLinkActive="active" data-testid="nav-account"
        >My account</a
      >
    </nav>
  `,
  styles: `
    nav {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
    }
    .active {
      background: var(--tyto-track);
    }
  `,
})
export class MainNavComponent {}
