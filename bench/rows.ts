import type { BundleSize } from './build.js';
import { kb, type Row, round } from './stats.js';

/** A measured value, its baseline and their ratio (for cold starts: the median of per-round ratios). */
export interface PairedFigure {
  value: number;
  baseline: number;
  ratio: number;
  samples: number;
}

export function sizeRow(figure: string, size: BundleSize, limitKb?: number, baseline?: BundleSize): Row {
  return {
    figure,
    value: `${kb(size.bytes)} KB`,
    baseline: baseline ? `${kb(baseline.bytes)} KB` : undefined,
    ratio: baseline ? size.bytes / baseline.bytes : undefined,
    target: limitKb === undefined ? undefined : `≤ ${limitKb} KB`,
    pass: limitKb === undefined ? undefined : size.bytes <= limitKb * 1000,
  };
}

export function ratioRow(figure: string, unit: string, value: number, baseline: number, target?: { max?: number; min?: number }): Row {
  const ratio = value / baseline;
  return {
    figure,
    value: `${round(value, 1)} ${unit}`,
    baseline: `${round(baseline, 1)} ${unit}`,
    ratio,
    target: target?.max !== undefined ? `ratio ≤ ${target.max}` : target?.min !== undefined ? `ratio ≥ ${target.min}` : undefined,
    pass: target?.max !== undefined ? ratio <= target.max : target?.min !== undefined ? ratio >= target.min : undefined,
  };
}

export function coldRow(figure: string, f: PairedFigure, maxRatio?: number): Row {
  return {
    figure: `${figure} (n=${f.samples})`,
    value: `${round(f.value, 1)} ms`,
    baseline: `${round(f.baseline, 1)} ms`,
    ratio: f.ratio,
    target: maxRatio === undefined ? undefined : `ratio ≤ ${maxRatio}`,
    pass: maxRatio === undefined ? undefined : f.ratio <= maxRatio,
  };
}
