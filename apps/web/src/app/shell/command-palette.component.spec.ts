import { matchEntries } from './command-palette.component';

describe(matchEntries.name, () => {
  const entries = [
    { label: 'Dashboard', hint: 'page', link: '/' },
    { label: 'Audit', hint: 'page', link: '/audit' },
    { label: 'local', hint: 'host · history', link: '/host/local/history' },
  ];

  it('keeps every entry for an empty query', () => {
    expect(matchEntries(entries, '  ')).toHaveLength(3);
  });

  it('matches every word typed, in any case, against label and hint', () => {
    expect(matchEntries(entries, 'AUD').map((e) => e.link)).toEqual(['/audit']);
    expect(matchEntries(entries, 'local hist').map((e) => e.link)).toEqual(['/host/local/history']);
    expect(matchEntries(entries, 'local live')).toEqual([]);
  });
});
