/**
 * An independent DKIM verifier for tests: dkimpy (Debian's python3-dkim, the library behind its
 * `dkimverify` script), run on a message with DNS answered from the keys the test generated.
 *
 * @example
 * const keys = dkimTestKeys('daybreak.example');
 * const results = verifyDkim(signedMessage, keys.records);
 * expect(results.map((r) => r.ok)).toEqual([true, true]);
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'dkim-verify.py');

export interface DkimResult {
  index: number;
  algorithm: string | null;
  ok: boolean;
  error: string | null;
}

/** An RSA-2048 and an Ed25519 key pair, as PEM, with the DNS TXT records that publish them. */
export function dkimTestKeys(domain: string, selectors = { rsa: 'rsa2026', ed25519: 'ed2026' }) {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ed = generateKeyPairSync('ed25519');
  const rsaPublic = rsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  // RFC 8463 §4.2: the Ed25519 public key is published as its 32 raw bytes.
  const edPublic = Buffer.from((ed.publicKey.export({ format: 'jwk' }) as { x: string }).x, 'base64url').toString('base64');
  return {
    selectors,
    rsaPem: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    ed25519Pem: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    records: {
      [`${selectors.rsa}._domainkey.${domain}`]: `v=DKIM1; k=rsa; p=${rsaPublic}`,
      [`${selectors.ed25519}._domainkey.${domain}`]: `v=DKIM1; k=ed25519; p=${edPublic}`,
    } as Record<string, string>,
  };
}

/** Verifies every DKIM-Signature of `message` with dkimpy; one result per signature, top first. */
export function verifyDkim(message: string | Buffer, records: Record<string, string>): DkimResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'daybreak-dkim-'));
  try {
    const file = join(dir, 'records.json');
    writeFileSync(file, JSON.stringify(records));
    let out: string;
    try {
      out = execFileSync(PYTHON, [SCRIPT, file], { input: message, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`dkimpy could not run (apt-get install -y python3-dkim): ${e.stderr || e.message}`);
    }
    return (JSON.parse(out) as { signatures: DkimResult[] }).signatures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
