import {
  formatCredits,
  formatDuration,
  formatMoneyMinor,
  formatRelativeTime,
  resolutionLabel,
} from './format';

describe('format', () => {
  it('should say credit in the singular when there is one', () => {
    expect(formatCredits(1)).toBe('1 credit');
    expect(formatCredits(1250)).toBe('1,250 credits');
    expect(formatCredits(null)).toBe('—');
  });

  it('should spell durations the way people read an ETA', () => {
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(3900)).toBe('1 h 5 min');
    expect(formatDuration(null)).toBe('—');
  });

  it('should describe recent times relatively', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(formatRelativeTime('2026-01-01T11:59:50Z', now)).toBe('just now');
    expect(formatRelativeTime('2026-01-01T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelativeTime('2025-12-31T12:00:00Z', now)).toBe('yesterday');
  });

  it('should show prices in pounds and unsold plans as contact us', () => {
    expect(formatMoneyMinor(1900)).toBe('£19');
    expect(formatMoneyMinor(999)).toBe('£9.99');
    expect(formatMoneyMinor(null)).toBe('Contact us');
  });

  it('should name a resolution by orientation and quality', () => {
    expect(resolutionLabel('1280x704')).toBe('Landscape · HD (1280×704)');
    expect(resolutionLabel('352x640')).toBe('Portrait · Draft (352×640)');
  });
});
