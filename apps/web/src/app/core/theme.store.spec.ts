import { TestBed } from '@angular/core/testing';
import { THEME_STORAGE_KEY, ThemeStore } from './theme.store';

describe(ThemeStore.name, () => {
  beforeEach(() => {
    localStorage.clear();
    document.documentElement.removeAttribute('data-theme');
  });

  function store(): ThemeStore {
    const theme = TestBed.inject(ThemeStore);
    TestBed.tick();
    return theme;
  }

  it('follows the system until the user picks a theme', () => {
    const theme = store();
    expect(theme.choice()).toBe('system');
    expect(document.documentElement.hasAttribute('data-theme')).toBe(false);
  });

  it('pins the theme the toggle picks and remembers it', () => {
    const theme = store();
    theme.next();
    TestBed.tick();
    expect(document.documentElement.getAttribute('data-theme')).toBe('light');
    theme.next();
    TestBed.tick();
    expect(document.documentElement.getAttribute('data-theme')).toBe('dark');
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark');
    theme.next();
    TestBed.tick();
    expect(theme.choice()).toBe('system');
    expect(document.documentElement.hasAttribute('data-theme')).toBe(false);
  });

  it('starts with the remembered choice and ignores a value it does not know', () => {
    localStorage.setItem(THEME_STORAGE_KEY, 'dark');
    expect(store().choice()).toBe('dark');
    TestBed.resetTestingModule();
    localStorage.setItem(THEME_STORAGE_KEY, 'neon');
    expect(store().choice()).toBe('system');
  });
});
