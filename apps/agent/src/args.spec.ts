import { parseArgs, UsageError } from './args';

describe(parseArgs.name, () => {
  it('defaults to a 5 s loop under the given id', () => {
    expect(parseArgs([], { id: 'web-01' })).toEqual({ once: false, interval: 5, id: 'web-01' });
  });

  it('reads every option', () => {
    expect(parseArgs(['--once', '--interval', '10', '--id', 'db-2'], { id: 'x' })).toEqual({
      once: true,
      interval: 10,
      id: 'db-2',
    });
  });

  it.each([
    [['--interval', '0'], /--interval must be/],
    [['--interval', 'soon'], /--interval must be/],
    [['--interval'], /needs a value/],
    [['--id', 'bad id'], /--id must be/],
    [['--verbose'], /unknown option '--verbose'/],
  ])('refuses %j with a one-line message', (argv, message) => {
    expect(() => parseArgs(argv, { id: 'x' })).toThrow(UsageError);
    expect(() => parseArgs(argv, { id: 'x' })).toThrow(message);
  });
});
