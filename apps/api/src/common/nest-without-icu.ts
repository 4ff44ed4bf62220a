/**
 * Loads @nestjs/common with its module-level `Intl.DateTimeFormat`s deferred. Nest builds two
 * at import for its console logger's timestamps, and the first one makes V8 map ICU's locale
 * data: 6 MB of the idle hub's RSS (docs/benchmarks.md, "Memory"). The hub logs through pino
 * (logging.ts), so those formatters never format and the data is never needed. Only the import
 * sees the deferred constructor; the real one is back before anything else runs.
 */
const RealDateTimeFormat = Intl.DateTimeFormat;

function DeferredDateTimeFormat(
  ...args: ConstructorParameters<typeof Intl.DateTimeFormat>
): Pick<Intl.DateTimeFormat, 'format' | 'formatToParts' | 'resolvedOptions'> {
  let real: Intl.DateTimeFormat | null = null;
  const get = () => (real ??= new RealDateTimeFormat(...args));
  return {
    format: (date) => get().format(date),
    formatToParts: (date) => get().formatToParts(date),
    resolvedOptions: () => get().resolvedOptions(),
  };
}

Intl.DateTimeFormat = DeferredDateTimeFormat as unknown as typeof Intl.DateTimeFormat;
try {
  // A require, not an import: it must run between the two assignments around it.
  require('@nestjs/common');
} finally {
  Intl.DateTimeFormat = RealDateTimeFormat;
}

export {};
