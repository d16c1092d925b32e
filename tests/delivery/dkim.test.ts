import { createHash, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/storage/index.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/content/index.ts';
import { relaxedBody, relaxedHeader } from '../../src/delivery/dkim-canonical.ts';
import { relaxedBodies } from '../../src/delivery/relaxed-bodies.ts';
import {
  compileEditionMessage,
  createDkimPool,
  createDkimSigner,
  createDkimSigning,
  createInlineDkimSigner,
  createMailer,
  editionMessageOptions,
  readDkimKeys,
  sendEdition,
  type DkimSignerOptions,
} from '../../src/delivery/index.ts';
import { htmlValues, readerFieldValues } from '../../src/render/index.ts';
import { dkimTestKeys, verifyDkim } from '../helpers/dkim-verifier.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { DATE, manyReaders, openTempDb, renderedEdition, SECRET, seed, tempDir, testConfig } from './fixtures.ts';

let cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

const DOMAIN = 'daybreak.example';
const keys = dkimTestKeys(DOMAIN);
const bothKeys: DkimSignerOptions = {
  domainName: DOMAIN,
  keys: [
    { algorithm: 'rsa-sha256', selector: keys.selectors.rsa, privateKey: keys.rsaPem },
    { algorithm: 'ed25519-sha256', selector: keys.selectors.ed25519, privateKey: keys.ed25519Pem },
  ],
};

/** Personalized copies of the sample edition, as the sender builds them. */
async function editionCopies(n: number): Promise<Buffer[]> {
  const config = testConfig();
  const rendered = await renderedEdition();
  const newsletter = config.newsletters.find((x) => x.id === 'morning')!;
  const message = compileEditionMessage(editionMessageOptions(config, newsletter, rendered));
  return Array.from({ length: n }, (_, i) => {
    const values = readerFieldValues({ email: `reader${i}@example.com`, firstName: i % 2 ? `Reader ${i}` : null, unsubscribeUrl: `https://news.example.com/u?t=${i}` });
    return message.buildBytes({
      to: { address: `reader${i}@example.com`, name: `Reader ${i}` },
      messageId: `m${i}@${DOMAIN}`,
      unsubscribeUrl: values.unsubscribeUrl,
      htmlValues: htmlValues(values),
      textValues: values,
    });
  });
}

/**
 * Copies whose personalization comes late (only a footer names the reader), as in a template that
 * personalizes nothing but the unsubscribe link: their bodies share a long prefix. The static part has
 * the whitespace relaxed canonicalization rewrites (double spaces, tabs, trailing spaces).
 */
function lateCopies(n: number): Buffer[] {
  const body = Array.from({ length: 120 }, (_, i) => `Line ${i}:  the  same\tfor everyone ${i % 7 ? '' : '  '}`).join('\r\n');
  return Array.from({ length: n }, (_, i) =>
    Buffer.from(`From: a@${DOMAIN}\r\nTo: r${i}@example.com\r\nSubject: Late\r\nMessage-ID: <l${i}@${DOMAIN}>\r\n\r\n${body}\r\nUnsubscribe r${i}: https://x.example/u/${i}\r\n`));
}

const collect = () => {
  const parts: Buffer[] = [];
  return { update: (b: Buffer) => parts.push(Buffer.from(b)), text: () => Buffer.concat(parts).toString('latin1') };
};
const canonicalBody = (body: string) => {
  const sink = collect();
  relaxedBody(Buffer.from(body, 'latin1'), 0, body.length, true, sink);
  return sink.text();
};
/** The tag=value pairs of the first DKIM-Signature field of a message. */
function signatureTags(raw: string, index = 0): Record<string, string> {
  const fields = [...raw.matchAll(/^DKIM-Signature:([\s\S]*?)\r\n(?![ \t])/gm)].map((m) => m[1]!.replace(/\r\n[ \t]+/g, ' '));
  return Object.fromEntries(fields[index]!.split(';').map((t) => t.trim()).filter(Boolean).map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1).replace(/\s+/g, '')]));
}

describe('relaxed canonicalization (RFC 6376 §3.4)', () => {
  it('gives the RFC 6376 §3.4.5 example its documented form', () => {
    expect(relaxedHeader('A: X') + relaxedHeader('B : Y\t\r\n\tZ  ')).toBe('a:X\r\nb:Y Z\r\n');
    expect(canonicalBody(' C \r\nD \t E\r\n\r\n\r\n')).toBe(' C\r\nD E\r\n');
  });

  it('drops trailing whitespace and empty lines, keeps inner empty lines, and ends a body with one CRLF', () => {
    expect(canonicalBody('a  b\t\tc \t\r\n\r\nd\r\n \t\r\n\r\n')).toBe('a b c\r\n\r\nd\r\n');
    expect(canonicalBody('no final break')).toBe('no final break\r\n');
    expect(canonicalBody('\r\n \r\n')).toBe('');
    expect(canonicalBody('')).toBe('');
  });

  it('gives the same body hash from the cached edition prefix as from the whole body', async () => {
    const copies = lateCopies(4);
    const cached = createDkimSigner({ domainName: DOMAIN, keys: [bothKeys.keys[1]!] });
    const bodyHashes = copies.map((c) => signatureTags(cached.sign(c).toString('latin1')).bh);
    expect(cached.stats.prefixHits).toBe(2); // the first two copies find the common prefix, the rest use it
    const fresh = copies.map((c) => {
      const body = c.subarray(c.indexOf('\r\n\r\n') + 4);
      const hash = createHash('sha256');
      relaxedBody(body, 0, body.length, true, hash);
      return hash.digest('base64');
    });
    expect(bodyHashes).toEqual(fresh);
    expect(new Set(fresh).size).toBe(4);
    // Bodies already in relaxed form (hashed as they are) reuse a cached prefix the same way.
    const clean = copies.map((c) => Buffer.from(c.toString('latin1').replace(/[ \t]+/g, ' ').replace(/ \r\n/g, '\r\n'), 'latin1'));
    const marked = createDkimSigner({ domainName: DOMAIN, keys: [bothKeys.keys[1]!] });
    const fast = clean.map((c) => signatureTags(Buffer.concat([marked.signatureFields(c, { relaxedBody: true }), c]).toString('latin1')).bh);
    const scanned = clean.map((c) => signatureTags(createDkimSigner({ domainName: DOMAIN, keys: [bothKeys.keys[1]!] }).sign(c).toString('latin1')).bh);
    expect(marked.stats.prefixHits).toBe(2);
    expect(fast).toEqual(scanned);
  });
});

describe('DKIM signatures, checked by an independent verifier (dkimpy)', () => {
  it('signs edition copies with RSA-SHA256 and Ed25519-SHA256 that verify, the cached-prefix ones included', async () => {
    const signer = createDkimSigner(bothKeys);
    const signed = [...(await editionCopies(3)), ...lateCopies(4)].map((c) => signer.sign(c));
    // The sample edition greets the reader in its first line: only the late copies share a prefix that
    // is used here (the first and third copy share one too, found on the third and used by none).
    expect(signer.stats.prefixHits).toBe(2);
    for (const copy of signed) {
      expect(verifyDkim(copy, keys.records).map((r) => [r.algorithm, r.ok])).toEqual([['rsa-sha256', true], ['ed25519-sha256', true]]);
    }
  });

  it('hashes once the part that copies for readers with the same greeting share, and those signatures verify', async () => {
    // Even readers have no first name (the same greeting), odd ones each their own: the body hashes of
    // readers 4 and 6 start from the state cached when reader 2 was found to share reader 0's beginning.
    const copies = await editionCopies(8);
    const signer = createDkimSigner(bothKeys);
    const signed = copies.map((c) => signer.sign(c));
    expect(signer.stats.prefixHits).toBe(2);
    for (const copy of signed) expect(verifyDkim(copy, keys.records).every((r) => r.ok)).toBe(true);
    const fresh = copies.map((c) => createHash('sha256').update(c.subarray(c.indexOf('\r\n\r\n') + 4)).digest('base64'));
    expect(signed.map((c) => signatureTags(c.toString('latin1')).bh)).toEqual(fresh);
  });

  it('oversigns the headers a reader trusts and stamps t=', async () => {
    const before = Math.floor(Date.now() / 1000);
    const [copy] = (await editionCopies(1)).map((c) => createDkimSigner(bothKeys).sign(c).toString('latin1'));
    const tags = signatureTags(copy!);
    const h = tags.h!.toLowerCase().split(':');
    for (const name of ['from', 'to', 'subject', 'date', 'message-id', 'reply-to', 'list-id', 'list-unsubscribe', 'list-unsubscribe-post']) {
      expect(h.filter((x) => x === name)).toHaveLength(2);
    }
    expect(Number(tags.t)).toBeGreaterThanOrEqual(before);
    expect(tags).toMatchObject({ v: '1', a: 'rsa-sha256', c: 'relaxed/relaxed', d: DOMAIN, s: keys.selectors.rsa });
  });

  it('fails verification once a header is added or the body is changed', async () => {
    const signer = createDkimSigner(bothKeys);
    const copy = signer.sign((await editionCopies(1))[0]!).toString('latin1');
    const blank = copy.indexOf('\r\n\r\n');
    const tampered = [
      // A second Subject below the first: a verifier that reads the last one would show it unsigned.
      copy.slice(0, blank) + '\r\nSubject: You won a prize' + copy.slice(blank),
      copy.slice(0, blank) + '\r\nReply-To: thief@evil.example' + copy.slice(blank),
      copy.replace('Content-Transfer-Encoding: quoted-printable\r\n\r\n', 'Content-Transfer-Encoding: quoted-printable\r\n\r\nP.S. send money\r\n'),
    ];
    expect(verifyDkim(copy, keys.records).every((r) => r.ok)).toBe(true);
    for (const message of tampered) expect(verifyDkim(message, keys.records).map((r) => r.ok)).toEqual([false, false]);
  });

  it('signs on worker threads, reusing released memory, with signatures that verify', async () => {
    const pool = createDkimPool({ ...bothKeys, threads: 2 });
    cleanup.push(() => pool.close());
    const copies = [...(await editionCopies(20)), ...lateCopies(20)];
    const before = copies.map((c) => Buffer.from(c));
    const signed = await Promise.all(copies.map((c) => pool.sign(c)));
    const stats = await pool.stats();
    expect(stats.copies).toBe(40);
    expect(stats.prefixHits).toBeGreaterThan(10);
    for (const i of [0, 1, 19, 20, 27, 39]) expect(verifyDkim(signed[i]!.bytes, keys.records).every((r) => r.ok)).toBe(true);
    // Each signed copy is the signature fields and then the caller's copy, byte for byte; the caller's
    // buffers are left as they were.
    signed.forEach((s, i) => expect(s.bytes.subarray(s.bytes.length - copies[i]!.length).equals(before[i]!)).toBe(true));
    expect(copies.every((c, i) => c.equals(before[i]!))).toBe(true);
    for (const s of signed) s.release(true);
    // Released memory is reused: the next copies are signed in it and still verify.
    const released = new Set(signed.map((s) => s.bytes.buffer));
    const again = await Promise.all(lateCopies(3).map((c) => pool.sign(c)));
    expect(again.every((s) => released.has(s.bytes.buffer))).toBe(true);
    expect(again.every((s) => verifyDkim(s.bytes, keys.records).every((r) => r.ok))).toBe(true);
  });

  it('signs in line on the calling thread, reusing released memory, with signatures that verify', async () => {
    const signer = createInlineDkimSigner(bothKeys);
    cleanup.push(() => signer.close());
    expect(signer.threads).toBe(0);
    const copies = [...(await editionCopies(10)), ...lateCopies(10)];
    const before = copies.map((c) => Buffer.from(c));
    const signed = await Promise.all(copies.map((c) => signer.sign(c, { relaxedBody: relaxedBodies.has(c) })));
    expect(await signer.stats()).toMatchObject({ copies: 20 });
    for (const i of [0, 9, 10, 19]) expect(verifyDkim(signed[i]!.bytes, keys.records).map((r) => r.ok)).toEqual([true, true]);
    signed.forEach((s, i) => expect(s.bytes.subarray(s.bytes.length - copies[i]!.length).equals(before[i]!)).toBe(true));
    expect(copies.every((c, i) => c.equals(before[i]!))).toBe(true);
    // A released copy's memory takes the next copy; one released as not reusable is never handed out again.
    signed[0]!.release(true);
    signed[1]!.release(false);
    const next = await signer.sign(lateCopies(1)[0]!);
    expect(next.bytes.buffer).toBe(signed[0]!.bytes.buffer);
    expect(verifyDkim(next.bytes, keys.records).every((r) => r.ok)).toBe(true);
    const after = await signer.sign(lateCopies(1)[0]!);
    expect(after.bytes.buffer).not.toBe(signed[1]!.bytes.buffer);
    await signer.close();
    await expect(signer.sign(copies[0]!)).rejects.toMatchObject({ code: 'EDELIVERY', message: 'The DKIM signer is closed' });
  });

  it('refuses in line a copy it cannot sign, naming why, and signs the next one', async () => {
    // A public key where the private one belongs: the key operation itself fails.
    const signer = createInlineDkimSigner({ domainName: DOMAIN, keys: [{ algorithm: 'ed25519-sha256', selector: 's', privateKey: generateKeyPairSync('ed25519').publicKey }] });
    cleanup.push(() => signer.close());
    await expect(signer.sign(lateCopies(1)[0]!)).rejects.toMatchObject({ code: 'EDELIVERY', message: expect.stringMatching(/^DKIM signing failed: /) });
    const good = createInlineDkimSigner(bothKeys);
    cleanup.push(() => good.close());
    expect(verifyDkim((await good.sign(lateCopies(1)[0]!)).bytes, keys.records).map((r) => r.ok)).toEqual([true, true]);
  });

  it('signs on the threads asked for, and in line with threads: 0', async () => {
    const inline = createDkimSigning({ ...bothKeys, threads: 0 });
    const threaded = createDkimSigning({ ...bothKeys, threads: 2 });
    cleanup.push(() => inline.close(), () => threaded.close());
    expect([inline.threads, threaded.threads]).toEqual([0, 2]);
    const copy = lateCopies(1)[0]!;
    for (const signer of [inline, threaded]) expect(verifyDkim((await signer.sign(copy)).bytes, keys.records).map((r) => r.ok)).toEqual([true, true]);
  });
});

describe('the DKIM signing pool, when things go wrong', () => {
  const edOnly: DkimSignerOptions = { domainName: DOMAIN, keys: [bothKeys.keys[1]!], threads: 1 } as DkimSignerOptions;
  const small = (extra = '') => Buffer.from(`From: a@${DOMAIN}\r\nTo: b@example.com\r\n${extra}Subject: Hi\r\n\r\nBody\r\n`, 'latin1');

  it('refuses a copy whose signature fields would not fit in front of it, naming the sizes, and signs the copies around it', async () => {
    const pool = createDkimPool({ ...edOnly, threads: 1 });
    cleanup.push(() => pool.close());
    // Every To field is signed (and listed in h=), so thousands of them make the fields too long.
    const huge = small(Array.from({ length: 2000 }, (_, i) => `To: c${i}@example.com\r\n`).join(''));
    const [before, refused, after] = await Promise.allSettled([pool.sign(small()), pool.sign(huge), pool.sign(small())]);
    expect(refused).toMatchObject({ status: 'rejected', reason: { code: 'EDELIVERY', message: expect.stringMatching(/^DKIM signing failed: the DKIM-Signature fields take \d+ bytes, more than the 4096 reserved$/) } });
    for (const ok of [before, after]) {
      expect(ok!.status).toBe('fulfilled');
      expect(verifyDkim((ok as PromiseFulfilledResult<{ bytes: Buffer }>).value.bytes, keys.records).map((r) => r.ok)).toEqual([true]);
    }
  });

  it('signs more copies at once than a thread\'s ring holds', async () => {
    const pool = createDkimPool({ ...edOnly, threads: 1 });
    cleanup.push(() => pool.close());
    const signed = await Promise.all(Array.from({ length: 200 }, () => pool.sign(small())));
    expect((await pool.stats()).copies).toBe(200);
    for (const i of [0, 63, 64, 199]) expect(verifyDkim(signed[i]!.bytes, keys.records).map((r) => r.ok)).toEqual([true]);
  });

  it('refuses the copies still out when it is closed, and every copy after', async () => {
    const pool = createDkimPool({ ...edOnly, threads: 1 });
    const out = Promise.allSettled(Array.from({ length: 20 }, () => pool.sign(small())));
    // Closed in the same turn, before the thread has even started: every copy is refused, none left waiting.
    await pool.close();
    const settled = await out;
    expect(settled.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'signed'))).toEqual(Array(20).fill('The DKIM signer is closed'));
    await expect(pool.sign(small())).rejects.toThrow('The DKIM signer is closed');
  });

  it('fails every copy with the reason when a signing thread cannot start', async () => {
    const pool = createDkimPool({ domainName: DOMAIN, keys: [{ algorithm: 'ed25519-sha256', selector: 's', privateKey: 'not a key' }], threads: 1 });
    cleanup.push(() => pool.close());
    await expect(pool.sign(small())).rejects.toMatchObject({ code: 'EDELIVERY', message: expect.stringContaining('A DKIM signing thread') });
    await expect(pool.sign(small())).rejects.toMatchObject({ code: 'EDELIVERY' });
  });
});

describe('DKIM through the Mailer', () => {
  function dkimConfig(dir: string, dkim: Record<string, unknown> = {}) {
    const privateKeyFile = join(dir, 'rsa.pem');
    const ed25519KeyFile = join(dir, 'ed.pem');
    writeFileSync(privateKeyFile, keys.rsaPem);
    writeFileSync(ed25519KeyFile, keys.ed25519Pem);
    return { domainName: DOMAIN, keySelector: keys.selectors.rsa, privateKeyFile, ed25519KeyFile, ed25519KeySelector: keys.selectors.ed25519, ...dkim };
  }

  it('sends every edition copy and every composed message signed with both keys, verified after SMTP', async () => {
    const tmp = tempDir();
    cleanup.push(tmp.remove);
    const db = openTempDb(tmp.dir);
    cleanup.push(() => db.close());
    const sink = await startSmtpSink();
    cleanup.push(() => sink.close());
    const config = testConfig({ dkim: dkimConfig(tmp.dir) });
    const mailer = createMailer({ config, env: { SMTP_URL: sink.url } });
    cleanup.push(() => mailer.close());
    seed(db, manyReaders(12));
    const store = await openStore({ database: join(tmp.dir, 'daybreak.db') });
    cleanup.push(() => store.close());
    const report = await sendEdition({
      store: store.sends,
      transport: mailer,
      config,
      newsletter: config.newsletters.find((n) => n.id === 'morning')!,
      date: DATE,
      rendered: await renderedEdition(),
      secret: SECRET,
      unsubscribeUrlFor: (id, nl) => `https://news.example.com/unsubscribe?token=${nl}-${id}`,
    });
    expect(report.sent).toBe(12);
    await mailer.send({ to: 'Ada <ada@example.com>', subject: 'Please confirm', html: '<p>Confirm</p>', text: 'Confirm' });
    expect(sink.messages).toHaveLength(13);
    for (const m of sink.messages) {
      expect(verifyDkim(m.raw, keys.records).map((r) => [r.algorithm, r.ok])).toEqual([['rsa-sha256', true], ['ed25519-sha256', true]]);
    }
    const last = sink.messages[12]!.raw;
    const added = last.replace('\r\n\r\n', '\r\nTo: someone-else@example.com\r\n\r\n');
    expect(verifyDkim(added, keys.records).map((r) => r.ok)).toEqual([false, false]);
  });

  it('signs in line through the Mailer with delivery.dkim.threads: 0, edition copies and composed mail alike', async () => {
    const tmp = tempDir();
    cleanup.push(tmp.remove);
    const sink = await startSmtpSink();
    cleanup.push(() => sink.close());
    const config = testConfig({ dkim: dkimConfig(tmp.dir, { threads: 0 }) });
    expect(config.delivery.dkim?.threads).toBe(0);
    const mailer = createMailer({ config, env: { SMTP_URL: sink.url } });
    cleanup.push(() => mailer.close());
    const [copy] = await editionCopies(1);
    await mailer.sendRaw({ from: `briefing@${DOMAIN}`, to: 'reader0@example.com', raw: copy! });
    await mailer.send({ to: 'Ada <ada@example.com>', subject: 'Please confirm', html: '<p>Confirm</p>', text: 'Confirm' });
    expect(sink.messages).toHaveLength(2);
    for (const m of sink.messages) expect(verifyDkim(m.raw, keys.records).map((r) => [r.algorithm, r.ok])).toEqual([['rsa-sha256', true], ['ed25519-sha256', true]]);
    // Signed in line, not on a thread: fields longer than the room the threads reserve in front of a copy
    // (every To field is signed, so two thousand of them make an h= list of over 4 KB) are still written.
    const crowded = Buffer.from(`From: a@${DOMAIN}\r\n${Array.from({ length: 2000 }, (_, i) => `To: c${i}@example.com\r\n`).join('')}Subject: Hi\r\n\r\nBody\r\n`, 'latin1');
    await mailer.sendRaw({ from: `a@${DOMAIN}`, to: 'c0@example.com', raw: crowded });
    expect(sink.messages).toHaveLength(3);
    expect(verifyDkim(sink.messages[2]!.raw, keys.records).map((r) => r.ok)).toEqual([true, true]);
  });

  it('takes 0 to 64 signing threads, and says so for anything else', () => {
    const issues = (threads: unknown) =>
      ConfigSchema.safeParse({ delivery: { dkim: { domainName: DOMAIN, keySelector: 's1', privateKeyFile: 'k.pem', threads } } }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    for (const ok of [0, 1, 64]) expect(issues(ok)).toBeUndefined();
    for (const bad of [-1, 1.5, 65, '2']) expect(issues(bad)).toEqual(['delivery.dkim.threads: Expected a whole number of signing threads, 0 to 64']);
  });

  it('refuses a key of the wrong kind, naming the key and what it holds', () => {
    const tmp = tempDir();
    cleanup.push(tmp.remove);
    const dkim = dkimConfig(tmp.dir);
    const swapped = ConfigSchema.parse({ delivery: { dkim: { ...dkim, privateKeyFile: dkim.ed25519KeyFile, ed25519KeyFile: dkim.privateKeyFile } } });
    expect(() => readDkimKeys(swapped.delivery.dkim!)).toThrow(`delivery.dkim.privateKeyFile: ${dkim.ed25519KeyFile} holds an ed25519 key, expected an RSA private key`);
    const small = join(tmp.dir, 'small.pem');
    writeFileSync(small, generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const weak = ConfigSchema.parse({ delivery: { dkim: { ...dkim, privateKeyFile: small } } });
    expect(() => readDkimKeys(weak.delivery.dkim!)).toThrow(/512-bit RSA key; DKIM needs at least 1024 bits/);
    const notPem = join(tmp.dir, 'x.pem');
    writeFileSync(notPem, 'hello');
    expect(() => readDkimKeys(ConfigSchema.parse({ delivery: { dkim: { ...dkim, ed25519KeyFile: notPem } } }).delivery.dkim!)).toThrow(
      `delivery.dkim.ed25519KeyFile: ${notPem} is not a PEM private key`,
    );
    // A file that cannot be read says why (missing, or not readable by this user).
    const missing = join(tmp.dir, 'missing.pem');
    expect(() => readDkimKeys(ConfigSchema.parse({ delivery: { dkim: { ...dkim, privateKeyFile: missing } } }).delivery.dkim!)).toThrow(
      `delivery.dkim.privateKeyFile: cannot read ${missing} (ENOENT)`,
    );
  });

  it('asks for the Ed25519 selector with the Ed25519 key, and a selector of its own', () => {
    const issues = (dkim: Record<string, unknown>) =>
      ConfigSchema.safeParse({ delivery: { dkim: { domainName: DOMAIN, keySelector: 's1', privateKeyFile: 'k.pem', ...dkim } } }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ ed25519KeyFile: 'ed.pem' })).toEqual([
      'delivery.dkim.ed25519KeySelector: ed25519KeyFile and ed25519KeySelector go together: the Ed25519 key is published under a selector of its own',
    ]);
    expect(issues({ ed25519KeyFile: 'ed.pem', ed25519KeySelector: 's1' })).toEqual(['delivery.dkim.ed25519KeySelector: Must differ from keySelector: one selector publishes one key']);
    expect(issues({ keySelector: 'bad selector' })).toEqual(['delivery.dkim.keySelector: Expected a DKIM selector: letters, digits, "-" and "_", dot-separated']);
    expect(issues({})).toBeUndefined();
  });
});

describe('edition copies already in relaxed form', () => {
  it('are marked by the edition builder when every piece and value is, and hash to the same body hash', async () => {
    const copies = await editionCopies(3);
    expect(copies.map((c) => relaxedBodies.has(c))).toEqual([true, true, true]);
    const signer = createDkimSigner(bothKeys);
    for (const copy of copies) {
      const fast = signatureTags(Buffer.concat([signer.signatureFields(copy, { relaxedBody: true }), copy]).toString('latin1')).bh;
      const scanned = signatureTags(Buffer.concat([signer.signatureFields(copy), copy]).toString('latin1')).bh;
      expect(fast).toBe(scanned);
    }
  });

  it('are not marked when a piece of the edition or a reader value has whitespace relaxed form rewrites, and still verify', async () => {
    const config = testConfig();
    const rendered = await renderedEdition();
    const newsletter = config.newsletters.find((x) => x.id === 'morning')!;
    const build = (html: typeof rendered.html, name: string) => {
      const message = compileEditionMessage(editionMessageOptions(config, newsletter, { ...rendered, html }));
      const values = readerFieldValues({ email: 'ana@example.com', firstName: name, unsubscribeUrl: 'https://news.example.com/u' });
      return message.buildBytes({ to: { address: 'ana@example.com', name }, messageId: `m@${DOMAIN}`, unsubscribeUrl: values.unsubscribeUrl, htmlValues: htmlValues(values), textValues: values });
    };
    const spaced = { ...rendered.html, parts: rendered.html.parts.map((p, i) => (i === 0 ? p.replace('<body', '<body  \t') : p)) };
    const copies = [build(spaced, 'Ana'), build(rendered.html, 'Ana  Maria\t'), build(rendered.html, 'Ana Maria')];
    expect(copies.map((c) => relaxedBodies.has(c))).toEqual([false, false, true]);
    const pool = createDkimPool({ ...bothKeys, threads: 1 });
    cleanup.push(() => pool.close());
    for (const copy of copies) {
      const signed = await pool.sign(copy, { relaxedBody: relaxedBodies.has(copy) });
      expect(verifyDkim(signed.bytes, keys.records).map((r) => r.ok)).toEqual([true, true]);
    }
  });
});
