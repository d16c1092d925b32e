import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compileEditionMessage, createDkimSigner, editionMessageOptions, readerCopy, relaxedBodies, sampleCopy, verifyDkim } from '../../src/delivery/index.ts';
import { dkimTestKeys, verifyDkim as dkimpyVerifies } from '../helpers/dkim-verifier.ts';
import { DATE, renderedEdition, testConfig } from './fixtures.ts';

const DOMAIN = 'daybreak.example';
const keys = dkimTestKeys(DOMAIN);
const rsaPublic = createPublicKey(keys.rsaPem);
const edPublic = createPublicKey(keys.ed25519Pem);

/** The sample reader's edition copy, signed by the sender's own signer with both keys (RSA first). */
async function signedCopy(): Promise<string> {
  const config = testConfig();
  const message = compileEditionMessage(editionMessageOptions(config, config.newsletters[0]!, await renderedEdition(config)));
  const raw = readerCopy(message, { address: 'ann@example.com', name: 'Ann', messageId: `morning.${DATE}.abc@${DOMAIN}`, unsubscribeUrl: 'https://news.example.com/unsubscribe?token=t' }).toString('utf8');
  const signer = createDkimSigner({
    domainName: DOMAIN,
    keys: [
      { algorithm: 'rsa-sha256', selector: keys.selectors.rsa, privateKey: keys.rsaPem },
      { algorithm: 'ed25519-sha256', selector: keys.selectors.ed25519, privateKey: keys.ed25519Pem },
    ],
  });
  return signer.sign(Buffer.from(raw, 'utf8')).toString('utf8');
}

describe('verifyDkim (what daybreak check runs on the sender\'s own signatures)', () => {
  it('verifies the RSA and the Ed25519 signature of a signed copy, each found by its selector', async () => {
    const signed = await signedCopy();
    expect(verifyDkim(signed, rsaPublic, { selector: keys.selectors.rsa })).toMatchObject({ ok: true, detail: `verified (rsa-sha256, d=${DOMAIN}, s=${keys.selectors.rsa})` });
    expect(verifyDkim(signed, edPublic, { selector: keys.selectors.ed25519 })).toMatchObject({ ok: true, detail: `verified (ed25519-sha256, d=${DOMAIN}, s=${keys.selectors.ed25519})` });
    // Without a selector, the first signature: the RSA one.
    expect(verifyDkim(signed, rsaPublic).ok).toBe(true);
    // The independent verifier agrees.
    expect(dkimpyVerifies(signed, keys.records).map((r) => r.ok)).toEqual([true, true]);
  });

  it('fails both signatures once a second Subject is added, as the independent verifier does', async () => {
    const signed = await signedCopy();
    const tampered = signed.replace('\r\nSubject: ', '\r\nSubject: You won a prize\r\nSubject: ');
    expect(tampered).not.toBe(signed);
    expect(verifyDkim(tampered, rsaPublic, { selector: keys.selectors.rsa })).toMatchObject({ ok: false, detail: expect.stringMatching(/^the signature \(b=\) does not verify with the public key \(rsa-sha256/) });
    expect(verifyDkim(tampered, edPublic, { selector: keys.selectors.ed25519 })).toMatchObject({ ok: false, detail: expect.stringMatching(/^the signature \(b=\) does not verify with the public key \(ed25519-sha256/) });
    expect(dkimpyVerifies(tampered, keys.records).map((r) => r.ok)).toEqual([false, false]);
  });

  it('fails a changed body on its body hash', async () => {
    const signed = await signedCopy();
    const tampered = signed.replace('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n', '$&Click here: http://evil.example/\r\n');
    expect(tampered).not.toBe(signed);
    expect(verifyDkim(tampered, rsaPublic)).toMatchObject({ ok: false, detail: 'the body hash (bh=) does not match the body' });
    expect(dkimpyVerifies(tampered, keys.records).map((r) => r.ok)).toEqual([false, false]);
  });

  it('fails against another key of the same kind', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(verifyDkim(await signedCopy(), other, { selector: keys.selectors.rsa })).toMatchObject({ ok: false, detail: expect.stringMatching(/does not verify with the public key/) });
  });

  it('says which signature is missing, and refuses a key of the wrong kind for a=', async () => {
    const signed = await signedCopy();
    expect(verifyDkim(signed, rsaPublic, { selector: 'nope' })).toEqual({ ok: false, detail: 'no DKIM-Signature with s=nope', headers: [] });
    expect(verifyDkim('From: a@b.example\r\n\r\nHi\r\n', rsaPublic)).toEqual({ ok: false, detail: 'no DKIM-Signature', headers: [] });
    expect(verifyDkim(signed, rsaPublic, { selector: keys.selectors.ed25519 })).toMatchObject({ ok: false, detail: 'a=ed25519-sha256 needs an ed25519 key, not rsa' });
    const unknown = signed.replace('a=rsa-sha256;', 'a=rsa-sha1;');
    expect(verifyDkim(unknown, rsaPublic)).toMatchObject({ ok: false, detail: 'unsupported algorithm rsa-sha1' });
    // Not a property of some object either.
    expect(verifyDkim(signed.replace('a=rsa-sha256;', 'a=constructor;'), rsaPublic)).toMatchObject({ ok: false, detail: 'unsupported algorithm constructor' });
  });

  it('verifies the sample copy signed as send signs it: the builder\'s marked bytes, their body hashed as it is', async () => {
    const config = testConfig();
    const copy = sampleCopy({ config, newsletter: config.newsletters[0]!, date: DATE, rendered: await renderedEdition(config) });
    // The sample edition is in relaxed form already, so the gate takes the signer's fast path, as send does.
    expect(relaxedBodies.has(copy.bytes)).toBe(true);
    expect(copy.bytes.toString('utf8')).toBe(copy.raw);
    const signer = createDkimSigner({ domainName: DOMAIN, keys: [{ algorithm: 'rsa-sha256', selector: keys.selectors.rsa, privateKey: keys.rsaPem }] });
    const signed = signer.signatureText(copy.bytes, { relaxedBody: true }) + copy.raw;
    // The verifier canonicalizes the body itself, so a body wrongly vouched for would fail here.
    expect(verifyDkim(signed, rsaPublic)).toMatchObject({ ok: true });
    expect(dkimpyVerifies(signed, keys.records).map((r) => r.ok)).toEqual([true]);
  });
});
