import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import type { ApiToken } from '@tyto/contracts';
import { TimePipe } from '../shared/format/time.pipe';
import { tokenState } from './tokens.store';

// A list of tokens, never with their secrets. `showOwner` adds the owner column (admin view).
@Component({
  selector: 'tyto-token-table',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, TimePipe],
  template: `
    <div class="scroll">
      <table data-testid="token-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            @if (showOwner()) {
              <th scope="col">Owner</th>
            }
            <th scope="col">Permissions</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">State</th>
            <th scope="col"><span class="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          @for (token of tokens(); track token.id) {
            <tr data-testid="token-row" [attr.data-token-id]="token.id">
              <td class="name ellipsis" [title]="token.name" data-testid="token-row-name">
                {{ token.name }}
              </td>
              @if (showOwner()) {
                <td data-testid="token-row-owner">{{ token.username }}</td>
              }
              <td class="code">{{ token.permissions.join(', ') }}</td>
              <td class="nowrap">{{ token.created_at | time: 'datetime' }}</td>
              <td class="nowrap">
                {{ token.expires_at ? (token.expires_at | time: 'datetime') : 'Never' }}
              </td>
              <td class="nowrap">
                {{ token.last_used_at ? (token.last_used_at | time: 'datetime') : 'Never' }}
              </td>
              <td [class]="state(token)" data-testid="token-row-state">{{ state(token) }}</td>
              <td>
                @if (state(token) === 'active') {
                  <button
                    mat-button
                    type="button"
                    (click)="revoke.emit(token)"
                    [attr.aria-label]="'Revoke ' + token.name"
                    data-testid="token-revoke"
                  >
                    Revoke
                  </button>
                }
              </td>
            </tr>
          } @empty {
            <tr>
              <td [attr.colspan]="showOwner() ? 8 : 7" class="empty" data-testid="token-empty">
                {{ emptyText() }}
              </td>
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
  styles: `
    /* Positioned, so it also clips the screen-reader-only header text (absolute). */
    .scroll {
      overflow-x: auto;
      position: relative;
    }
    table {
      width: 100%;
      border-collapse: collapse;
      font-size: 14px;
    }
    th {
      text-align: left;
      font-weight: 500;
      color: var(--tyto-muted);
    }
    th,
    td {
      padding: 6px 8px;
      border-bottom: 1px solid var(--tyto-track);
      vertical-align: middle;
    }
    .name {
      max-width: 220px;
    }
    .code {
      font-family: ui-monospace, monospace;
      font-size: 13px;
    }
    .nowrap {
      white-space: nowrap;
    }
    .revoked,
    .expired {
      color: var(--tyto-muted);
    }
    .active {
      color: var(--tyto-ok);
    }
    .empty {
      color: var(--tyto-muted);
    }
  `,
})
export class TokenTableComponent {
  readonly tokens = input.required<readonly ApiToken[]>();
  readonly showOwner = input(false);
  readonly emptyText = input('No tokens yet.');
  readonly revoke = output<ApiToken>();

  protected state(token: ApiToken): string {
    return tokenState(token);
  }
}
