import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileEditionMessage, editionMessageOptions, readerCopy } from '../../src/delivery/index.ts';
import { dkimHeaderList, signDkim, verifyDkim } from '../../src/delivery/index.ts';
import { DATE, renderedEdition, testConfig } from './fixtures.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicDer = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const dir = mkdtempSync(join(tmpdir(), 'daybreak-dkim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Debian's python3-dkim lives in the system interpreter (`apt-get install python3-dkim`), not in a pyenv one.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** python3-dkim, an independent implementation, with the key record given instead of looked up in DNS. */
function pythonVerifies(message: string): boolean {
  const file = join(dir, `m-${Math.random().toString(36).slice(2)}.eml`);
  writeFileSync(file, message);
  const script = [
    'import sys, dkim',
    `record = b"v=DKIM1; k=rsa; p=${publicDer}"`,
    'msg = open(sys.argv[1], "rb").read()',
    'print("pass" if dkim.verify(msg, dnsfunc=lambda name, timeout=5: record) else "fail")',
  ].join('\n');
  return execFileSync(PYTHON, ['-c', script, file], { encoding: 'utf8' }).trim() === 'pass';
}

async function editionCopy(): Promise<string> {
  const config = testConfig();
  const newsletter = config.newsletters[0]!;
  const message = compileEditionMessage(editionMessageOptions(config, newsletter, await renderedEdition(config)));
  return readerCopy(message, { address: 'ann@example.com', name: 'Ann', messageId: `morning.${DATE}.abc@daybreak.example`, unsubscribeUrl: 'https://news.example.com/unsubscribe?token=t' });
}

describe('DKIM signing with oversigned headers', () => {
  it('lists each identity and list header once more than it occurs', () => {
    const h = dkimHeaderList(['From', 'To', 'Subject', 'Subject', 'MIME-Version']);
    expect(h.filter((n) => n === 'subject')).toHaveLength(3);
    expect(h.filter((n) => n === 'from')).toHaveLength(2);
    expect(h.filter((n) => n === 'list-unsubscribe')).toHaveLength(1);
    expect(h.filter((n) => n === 'mime-version')).toHaveLength(1);
  });

  it('signs an edition copy with t= and a doubled h= list that python3-dkim verifies', async () => {
    const signed = signDkim(await editionCopy(), { domainName: 'daybreak.example', keySelector: 'news', privateKey, now: new Date('2026-11-30T11:00:00Z') });
    const header = signed.slice(0, signed.indexOf('\r\n', signed.indexOf('b=')));
    expect(header).toMatch(/ t=1796036400;/);
    const h = /h=([^;]+);/.exec(signed.replace(/\r\n /g, ''))![1]!.split(':');
    for (const name of ['from', 'to', 'subject', 'date', 'message-id', 'reply-to', 'list-id', 'list-unsubscribe', 'list-unsubscribe-post']) {
      expect(h.filter((n) => n === name), name).toHaveLength(2);
    }
    expect(verifyDkim(signed, publicKey).ok).toBe(true);
    expect(pythonVerifies(signed)).toBe(true);
  });

  it('is broken by a second Subject added after signing (both verifiers)', async () => {
    const signed = signDkim(await editionCopy(), { domainName: 'daybreak.example', keySelector: 'news', privateKey });
    const tampered = signed.replace('\r\nSubject: ', '\r\nSubject: You won a prize\r\nSubject: ');
    expect(tampered).not.toBe(signed);
    expect(verifyDkim(tampered, publicKey).ok).toBe(false);
    expect(pythonVerifies(tampered)).toBe(false);
  });

  it('is broken by a changed body', async () => {
    const signed = signDkim(await editionCopy(), { domainName: 'daybreak.example', keySelector: 'news', privateKey });
    const tampered = signed.replace('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n', '$&Click here: http://evil.example/\r\n');
    expect(tampered).not.toBe(signed);
    expect(verifyDkim(tampered, publicKey)).toMatchObject({ ok: false, detail: expect.stringMatching(/body hash/) });
    expect(pythonVerifies(tampered)).toBe(false);
  });
});
