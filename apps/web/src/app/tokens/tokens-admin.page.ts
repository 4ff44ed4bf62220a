import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import type { ApiToken } from '@tyto/contracts';
import { TokenTableComponent } from './token-table.component';
import { TokensStore, tokenState } from './tokens.store';

// Every user's API tokens (permission tokens:manage): find one by name or owner and revoke it.
@Component({
  selector: 'tyto-tokens-admin-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [TokensStore],
  imports: [
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatSlideToggleModule,
    TokenTableComponent,
  ],
  template: `
    <h1>API tokens</h1>
    <p class="meta">
      Every user's tokens. Revoking one refuses it at once; users create their own on
      <em>My account</em>.
    </p>
    <div class="filters">
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Filter by name or owner</mat-label>
        <input
          matInput
          [value]="filter()"
          (input)="filter.set(inputValue($event))"
          data-testid="tokens-filter"
        />
      </mat-form-field>
      <mat-slide-toggle
        [checked]="showInactive()"
        (change)="showInactive.set($event.checked)"
        data-testid="tokens-show-inactive"
      >
        Show revoked and expired
      </mat-slide-toggle>
    </div>
    <mat-card appearance="outlined">
      <mat-card-content>
        <tyto-token-table
          data-testid="admin-token-table"
          [tokens]="shown()"
          [showOwner]="true"
          emptyText="No tokens match."
          (revoke)="revoke($event)"
        />
      </mat-card-content>
    </mat-card>
  `,
  styles: `
    h1 {
      margin: 0 0 4px;
      font-size: 24px;
    }
    .meta {
      color: var(--tyto-muted);
      margin: 0 0 16px;
    }
    .filters {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px 24px;
      margin-bottom: 16px;
    }
    .filters mat-form-field {
      flex: 0 1 320px;
    }
  `,
})
export class TokensAdminPage {
  protected readonly store = inject(TokensStore);
  protected readonly filter = signal('');
  protected readonly showInactive = signal(false);
  protected readonly shown = computed(() => {
    const needle = this.filter().trim().toLowerCase();
    return this.store
      .tokens()
      .filter((t) => this.showInactive() || tokenState(t) === 'active')
      .filter(
        (t) =>
          !needle ||
          t.name.toLowerCase().includes(needle) ||
          t.username.toLowerCase().includes(needle),
      );
  });

  constructor() {
    void this.store.load('all');
  }

  protected inputValue(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected revoke(token: ApiToken): void {
    if (confirm(`Revoke "${token.name}" of ${token.username}? It is refused at once.`)) {
      void this.store.revoke(token);
    }
  }
}
