describe('loading Nest without ICU', () => {
  it('defers only the formatters Nest builds at import, and restores Intl.DateTimeFormat', async () => {
    const real = Intl.DateTimeFormat;
    await import('./nest-without-icu');
    expect(Intl.DateTimeFormat).toBe(real);
    const { ConsoleLogger } = await import('@nestjs/common');
    // Nest's deferred formatter still works if Nest's own logger is ever used.
    const stamp = (new ConsoleLogger() as unknown as { getTimestamp(): string }).getTimestamp();
    expect(stamp).toMatch(/\d/);
    expect(new Intl.DateTimeFormat('en', { year: 'numeric' })).toBeInstanceOf(real);
  });
});
