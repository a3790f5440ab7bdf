import { parseRegistration } from '@reggie/registration';
import { describe, expect, it } from 'vitest';
import { seedMarks } from './seed-marks.ts';

describe('seed marks', () => {
  it('are valid, distinct, the same on every run, and of every style', () => {
    const marks = seedMarks(300);
    expect(marks).toHaveLength(300);
    expect(new Set(marks.map((m) => m.normalised)).size).toBe(300);
    expect(seedMarks(300)).toEqual(marks);
    expect(marks.every((m) => parseRegistration(m.normalised).ok)).toBe(true);
    expect(new Set(marks.map((m) => m.style)).size).toBe(5);
  });
});
