import { describe, expect, it } from 'vitest';
import {
  alignSeries,
  linearScale,
  niceStep,
  niceTicks,
  rateTicks,
  shorten,
  stackStarts,
} from '../../smart-app/billing-ui/charts/scale.ts';

describe('chart arithmetic', () => {
  it('picks axis ticks a reader can add up, with the top at or above the largest value', () => {
    expect(niceTicks(9_450)).toEqual([0, 2_500, 5_000, 7_500, 10_000]);
    expect(niceTicks(37)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(100)).toEqual([0, 25, 50, 75, 100]);
    expect(niceTicks(0.13)).toEqual([0, 0.05, 0.1, 0.15]);
    expect(niceTicks(0)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceStep(1234, 4)).toBe(500);
  });

  it('keeps a rate axis within 100%', () => {
    expect(rateTicks(0.97).at(-1)).toBe(1);
    expect(rateTicks(0.12)).toEqual([0, 0.05, 0.1, 0.15]);
    expect(Math.max(...rateTicks(1))).toBe(1);
  });

  it('scales values to pixels and never draws a negative or overflowing bar', () => {
    const x = linearScale(200, 400);
    expect(x(50)).toBe(100);
    expect(x(-10)).toBe(0);
    expect(x(500)).toBe(400);
    expect(linearScale(0, 400)(0)).toBe(0);
  });

  it('stacks aging buckets end to end', () => {
    expect(stackStarts([3, 4, 5])).toEqual([0, 3, 7]);
    expect(stackStarts([3, -1, 5])).toEqual([0, 3, 3]);
  });

  it('shortens long labels with an ellipsis and leaves short ones alone', () => {
    expect(shorten('CO-97 Payment included in another service', 16)).toBe('CO-97 Payment i…');
    expect(shorten('CO-16', 16)).toBe('CO-16');
  });

  it('lines up series by month even when one lacks a month', () => {
    const rows = alignSeries([
      { name: 'Charges', data: [{ label: '2026-01' }, { label: '2026-02' }] },
      { name: 'Payments', data: [{ label: '2026-02' }] },
    ]);
    expect(rows.map((r) => r.label)).toEqual(['2026-01', '2026-02']);
    expect(rows[0]?.values[1]).toBeUndefined();
    expect(rows[1]?.values[1]).toEqual({ label: '2026-02' });
  });
});
