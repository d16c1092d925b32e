/**
 * A count with its noun, singular for one: `plural(1, 'copy', 'copies')` is "1 copy".
 *
 * @example
 * plural(3, 'check') // "3 checks"
 */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}
