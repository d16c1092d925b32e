/**
 * The subject of a test copy (`daybreak send --to`, the preview's "Send test"): marked, so nobody takes
 * it for the edition that went out, and the same wherever the test is sent from.
 *
 * @example
 * testSubject('Monday: the storm arrives') // "[Test] Monday: the storm arrives"
 */
export function testSubject(subject: string): string {
  return `[Test] ${subject}`;
}
