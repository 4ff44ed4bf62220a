import { ChangeDetectionStrategy, Component, inject, signal, viewChild } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import type { ApiToken, CreateApiTokenRequest } from '@tyto/contracts';
import { TokenFormComponent } from './token-form.component';
import { TokenSecretComponent } from './token-secret.component';
import { TokenTableComponent } from './token-table.component';
import { TokensStore } from './tokens.store';

// The account page's API tokens: the user's own, to create, list and revoke.
@Component({
  selector: 'tyto-account-tokens',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [TokensStore],
  imports: [
    MatButtonModule,
    MatCardModule,
    TokenFormComponent,
    TokenSecretComponent,
    TokenTableComponent,
  ],
  template: `
    <mat-card appearance="outlined" data-testid="account-tokens">
      <mat-card-header>
        <mat-card-title>API tokens</mat-card-title>
        <mat-card-subtitle>
          For scripts, CI and Prometheus: each acts with the permissions you give it.
        </mat-card-subtitle>
      </mat-card-header>
      <mat-card-content>
        @if (store.created(); as created) {
          <tyto-token-secret
            [name]="created.name"
            [secret]="created.token"
            (done)="store.dismissSecret()"
          />
        }
        <tyto-token-table
          [tokens]="store.tokens()"
          emptyText="You have no API tokens."
          (revoke)="revoke($event)"
        />
        @if (formOpen()) {
          <h3>New token</h3>
          <tyto-token-form
            [pending]="store.pending()"
            [error]="store.error()"
            (submitted)="create($event)"
          />
        } @else {
          <button
            mat-stroked-button
            type="button"
            class="new"
            (click)="formOpen.set(true)"
            data-testid="token-new"
          >
            New token
          </button>
        }
      </mat-card-content>
    </mat-card>
  `,
  styles: `
    mat-card-content {
      padding-top: 12px;
    }
    h3 {
      font-size: 15px;
      font-weight: 500;
      margin: 16px 0 8px;
    }
    .new {
      margin-top: 12px;
    }
  `,
})
export class AccountTokensComponent {
  protected readonly store = inject(TokensStore);
  protected readonly formOpen = signal(false);
  private readonly form = viewChild(TokenFormComponent);

  constructor() {
    void this.store.load('own');
  }

  protected async create(body: CreateApiTokenRequest): Promise<void> {
    if (await this.store.create(body)) {
      this.form()?.clear();
      this.formOpen.set(false);
    }
  }

  protected revoke(token: ApiToken): void {
    if (confirm(`Revoke "${token.name}"? Whatever uses it loses access at once.`)) {
      void this.store.revoke(token);
    }
  }
}
