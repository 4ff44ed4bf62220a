import { DOCUMENT } from '@angular/common';
import { Injectable, computed, effect, inject, signal } from '@angular/core';

export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_STORAGE_KEY = 'tyto-theme';
const ORDER: readonly ThemeChoice[] = ['system', 'light', 'dark'];

function isChoice(value: unknown): value is ThemeChoice {
  return value === 'system' || value === 'light' || value === 'dark';
}

// Light, dark or the system's preference, remembered in this browser. theme.scss draws both
// schemes from `color-scheme`; `data-theme` on <html> pins one.
@Injectable({ providedIn: 'root' })
export class ThemeStore {
  private readonly document = inject(DOCUMENT);
  private readonly _choice = signal<ThemeChoice>(this.stored());

  readonly choice = computed(() => this._choice());
  readonly label = computed(() => {
    switch (this._choice()) {
      case 'system':
        return 'Theme: system';
      case 'light':
        return 'Theme: light';
      case 'dark':
        return 'Theme: dark';
    }
  });

  constructor() {
    effect(() => {
      const choice = this._choice();
      const root = this.document.documentElement;
      if (choice === 'system') root.removeAttribute('data-theme');
      else root.setAttribute('data-theme', choice);
    });
  }

  set(choice: ThemeChoice): void {
    this._choice.set(choice);
    try {
      this.document.defaultView?.localStorage.setItem(THEME_STORAGE_KEY, choice);
    } catch {
      // Storage refused (private mode): the choice lasts for this page only.
    }
  }

  // system → light → dark → system.
  next(): void {
    this.set(ORDER[(ORDER.indexOf(this._choice()) + 1) % ORDER.length]);
  }

  private stored(): ThemeChoice {
    try {
      const value = this.document.defaultView?.localStorage.getItem(THEME_STORAGE_KEY);
      return isChoice(value) ? value : 'system';
    } catch {
      return 'system';
    }
  }
}
