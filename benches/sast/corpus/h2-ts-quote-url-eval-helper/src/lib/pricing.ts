export function applyFormula(formula: string, base: number): number {
  const expression = formula.replace(/\bbase\b/g, String(base));
  const value = eval(`(${expression})`);
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new Error('formula did not produce a number');
  }
  return Math.round(value * 100) / 100;
}
