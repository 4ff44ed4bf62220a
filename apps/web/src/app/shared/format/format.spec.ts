import { BytesPipe } from './bytes.pipe';
import { formatBytes, formatPercent, formatUptime } from './format';
import { UptimePipe } from './uptime.pipe';
import { UsagePipe } from './usage.pipe';

describe('format', () => {
  describe(formatBytes.name, () => {
    it('keeps whole bytes below one KiB', () => {
      expect(formatBytes(0)).toBe('0 B');
      expect(formatBytes(1023.4)).toBe('1023 B');
    });

    it('steps through binary units', () => {
      expect(formatBytes(1536)).toBe('1.5 KiB');
      expect(formatBytes(8 * 1024 ** 3)).toBe('8.0 GiB');
      expect(formatBytes(3 * 1024 ** 4, 2)).toBe('3.00 TiB');
    });

    it('shows a dash for values that are not sizes', () => {
      expect(formatBytes(-1)).toBe('–');
      expect(formatBytes(Number.NaN)).toBe('–');
    });
  });

  describe(formatUptime.name, () => {
    it('shows days, hours and minutes for long uptimes', () => {
      expect(formatUptime(93_784)).toBe('1d 2h 3m');
    });

    it('drops the larger units while they are zero', () => {
      expect(formatUptime(7_260)).toBe('2h 1m');
      expect(formatUptime(125)).toBe('2m 5s');
      expect(formatUptime(9.9)).toBe('9s');
    });

    it('shows a dash for negative input', () => {
      expect(formatUptime(-5)).toBe('–');
    });
  });

  describe(formatPercent.name, () => {
    it('keeps one decimal', () => {
      expect(formatPercent(12.345)).toBe('12.3 %');
    });
  });

  describe('pipes', () => {
    it('render a dash while the value is missing', () => {
      expect(new BytesPipe().transform(null)).toBe('–');
      expect(new UptimePipe().transform(undefined)).toBe('–');
      expect(new UsagePipe().transform(null)).toBe('–');
    });

    it('delegate to the formatters', () => {
      expect(new BytesPipe().transform(2048, 0)).toBe('2 KiB');
      expect(new UptimePipe().transform(3_600)).toBe('1h 0m');
      expect(new UsagePipe().transform(99.96)).toBe('100.0 %');
    });
  });
});
