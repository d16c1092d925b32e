/**
 * A failed transactional mail is logged by the subscriber's id, and any address in the mail server's
 * answer is masked: logs travel further and live longer than the subscriber table. A real SMTP sink that
 * refuses the recipient with a reply quoting it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { maskAddresses } from '../../src/audience/index.ts';
import { form, harness, type Harness } from './setup.ts';

let h: Harness | undefined;
afterEach(() => h?.close());

describe('the web app log', () => {
  it('names the subscriber by id and masks the address quoted in the refusal', async () => {
    const lines: string[] = [];
    h = await harness({
      log: (message, error) => lines.push(`${message}${error ? ` ${error instanceof Error ? `${error.message}\n${error.stack}` : String(error)}` : ''}`),
    });
    h.sink.fault({ phase: 'rcpt', match: 'r0007@example.com', code: 550, message: '5.1.1 <r0007@example.com>: Recipient address rejected' });
    expect((await h.app.request('/subscribe', form({ email: 'r0007@example.com', newsletters: 'morning' }))).status).toBe(200);
    await h.settle();
    const id = (await h.app.audience.store.findByEmail('r0007@example.com'))!.id;
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`could not send the confirmation email to subscriber #${id} (attempt 1, will retry):`);
    expect(lines[0]).toContain('r…@example.com');
    expect(lines.join('\n')).not.toContain('r0007');
  });
});

describe('maskAddresses', () => {
  it('keeps the first character and the domain of every address in a line, and nothing else changes', () => {
    expect(maskAddresses('550 <ann.lee+news@mail.example.com>: no; also bob@b.example.')).toBe('550 <a…@mail.example.com>: no; also b…@b.example.');
    expect(maskAddresses('no address here, just @ signs and user@localhost')).toBe('no address here, just @ signs and user@localhost');
  });
});
