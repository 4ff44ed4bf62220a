import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatDialogRef } from '@angular/material/dialog';
import { Router } from '@angular/router';
import { AuthStore } from '../auth/auth.store';
import { NAV_ITEMS } from './nav-items';

export interface PaletteEntry {
  label: string;
  hint: string;
  link: string;
}

// Entries whose label or hint contains every word typed, in order of the list.
export function matchEntries(entries: readonly PaletteEntry[], query: string): PaletteEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return entries.filter((e) => {
    const text = `${e.label} ${e.hint}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

// Ctrl/⌘-K: type to jump to a page or a host; arrows pick, Enter goes, Escape closes.
@Component({
  selector: 'tyto-command-palette',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="palette" data-testid="command-palette">
      <label class="sr-only" for="palette-input">Go to a page or host</label>
      <input
        id="palette-input"
        type="search"
        placeholder="Go to… (page or host)"
        autocomplete="off"
        role="combobox"
        aria-controls="palette-list"
        [attr.aria-activedescendant]="'palette-' + active()"
        aria-expanded="true"
        [value]="query()"
        (input)="type($event)"
        (keydown)="key($event)"
        data-testid="command-palette-input"
      />
      <ul id="palette-list" role="listbox" aria-label="Matches">
        @for (entry of matches(); track entry.link; let i = $index) {
          <li
            role="option"
            [id]="'palette-' + i"
            [attr.aria-selected]="i === active()"
            [class.active]="i === active()"
            (click)="go(entry)"
            (mousemove)="active.set(i)"
            data-testid="command-palette-entry"
          >
            <span>{{ entry.label }}</span> <span class="hint">{{ entry.hint }}</span>
          </li>
        } @empty {
          <li class="none">Nothing matches.</li>
        }
      </ul>
    </div>
  `,
  styles: `
    .palette {
      width: min(520px, 90vw);
      padding: 12px;
    }
    input {
      width: 100%;
      box-sizing: border-box;
      font: inherit;
      font-size: 16px;
      padding: 10px 12px;
      border: 1px solid var(--mat-sys-outline);
      border-radius: 8px;
      background: var(--mat-sys-surface);
      color: var(--mat-sys-on-surface);
    }
    ul {
      list-style: none;
      margin: 8px 0 0;
      padding: 0;
      max-height: 50vh;
      overflow-y: auto;
    }
    li {
      padding: 8px 12px;
      border-radius: 6px;
      cursor: pointer;
    }
    li.active {
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
    }
    .hint,
    .none {
      color: var(--tyto-muted);
      font-size: 13px;
    }
  `,
})
export class CommandPaletteComponent {
  private readonly auth = inject(AuthStore);
  private readonly router = inject(Router);
  private readonly dialog = inject(MatDialogRef<CommandPaletteComponent>);

  // Pages the user may open, then hosts (the hub's own for now; agents add theirs here).
  private readonly entries = computed<PaletteEntry[]>(() => [
    ...NAV_ITEMS.filter((item) => !item.permission || this.auth.can(item.permission)).map(
      (item) => ({ label: item.label, hint: 'page', link: item.link }),
    ),
    ...(this.auth.can('dashboard:view')
      ? [
          { label: 'local', hint: 'host · live', link: '/host/local' },
          { label: 'local', hint: 'host · history', link: '/host/local/history' },
        ]
      : []),
  ]);
  protected readonly query = signal('');
  protected readonly active = signal(0);
  protected readonly matches = computed(() => matchEntries(this.entries(), this.query()));

  protected type(event: Event): void {
    this.query.set((event.target as HTMLInputElement).value);
    this.active.set(0);
  }

  protected key(event: KeyboardEvent): void {
    const count = this.matches().length;
    if (event.key === 'ArrowDown' && count) {
      event.preventDefault();
      this.active.set((this.active() + 1) % count);
    } else if (event.key === 'ArrowUp' && count) {
      event.preventDefault();
      this.active.set((this.active() - 1 + count) % count);
    } else if (event.key === 'Enter') {
      const entry = this.matches()[this.active()];
      if (entry) this.go(entry);
    }
  }

  protected go(entry: PaletteEntry): void {
    this.dialog.close();
    void this.router.navigateByUrl(entry.link);
  }
}
