import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { AddressObject, ParsedMail } from 'mailparser';
import { DaybreakError } from '../errors.ts';

// mailparser (with iconv-lite, encoding-japanese and a TLD list, about 10 MB of RSS) is only needed to
// READ the Maildir (the preview's inbox), so it is loaded on first use, not by every sender and server.
let parser: Promise<typeof import('mailparser')> | null = null;
async function parseMail(source: Buffer | string, options: { skipHtmlToText?: boolean; skipTextToHtml?: boolean }): Promise<ParsedMail> {
  parser ??= import('mailparser');
  const { simpleParser } = await parser;
  return simpleParser(source, options);
}

/** One message of a Maildir, as listed by readMaildir (newest first). */
export interface MaildirEntry {
  /** The file name without the `:2,` info suffix; pass it to readMaildirMessage. */
  id: string;
  /** Absolute or relative path of the .eml file. */
  file: string;
  /** ISO 8601: the Date header, or the file's modification time when the header is missing or bad. */
  date: string;
  to: string;
  from: string;
  subject: string;
}

export interface MaildirMessage {
  /** Header lines in wire order, unfolded, values as written (RFC 2047 words not decoded). */
  headers: { name: string; value: string }[];
  html: string | null;
  text: string | null;
  raw: string;
}

let counter = 0;
const host = hostname().replace(/[/:]/g, '_');

/**
 * Creates `tmp/`, `new/` and `cur/` under `dir` (the Maildir layout, https://cr.yp.to/proto/maildir.html).
 */
export function ensureMaildir(dir: string): void {
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(dir, sub), { recursive: true });
}

/**
 * Delivers one message into a Maildir the way qmail does: write it to `tmp/` under a unique name, flush
 * it, then rename it into `new/`, so a reader never sees half a message. Names end in `.eml` so the files
 * open in any mail client. Returns the id.
 */
export async function deliverToMaildir(dir: string, source: Readable | string | Buffer): Promise<string> {
  ensureMaildir(dir);
  const now = Date.now();
  counter += 1;
  const id = `${Math.floor(now / 1000)}.M${(now % 1000) * 1000}P${process.pid}Q${counter}R${randomBytes(6).toString('hex')}.${host}.eml`;
  const tmp = join(dir, 'tmp', id);
  try {
    if (typeof source === 'string' || Buffer.isBuffer(source)) {
      const handle = await open(tmp, 'wx');
      try {
        await handle.writeFile(source);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } else {
      await pipeline(source, createWriteStream(tmp, { flags: 'wx' }));
      const handle = await open(tmp, 'r+');
      await handle.sync();
      await handle.close();
    }
    await rename(tmp, join(dir, 'new', id));
    return id;
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
}

const ID_PATTERN = /^[A-Za-z0-9._-]+$/;

function locate(dir: string, id: string): string | null {
  if (!ID_PATTERN.test(id)) return null;
  const fresh = join(dir, 'new', id);
  if (existsSync(fresh)) return fresh;
  const curDir = join(dir, 'cur');
  if (!existsSync(curDir)) return null;
  const match = readdirSync(curDir).find((name) => name === id || name.startsWith(`${id}:`));
  return match ? join(curDir, match) : null;
}

function addressText(value: AddressObject | AddressObject[] | undefined): string {
  if (!value) return '';
  return (Array.isArray(value) ? value : [value]).map((a) => a.text).join(', ');
}

/** Reads only the header block of a file (mail can be large; the list needs headers only). */
async function readHeaderBlock(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const chunks: Buffer[] = [];
    const buffer = Buffer.alloc(16_384);
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
      position += bytesRead;
      const text = Buffer.concat(chunks).toString('utf8');
      const end = text.search(/\r?\n\r?\n/);
      if (end >= 0) return text.slice(0, end) + '\r\n\r\n';
      if (position > 1_000_000) break;
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Lists the messages of a Maildir (`new/` and `cur/`), newest first. A missing folder is an empty mailbox.
 *
 * @example
 * const [latest] = await readMaildir('var/mail');
 */
export async function readMaildir(dir: string): Promise<MaildirEntry[]> {
  const entries: (MaildirEntry & { sortKey: number })[] = [];
  for (const sub of ['new', 'cur']) {
    const folder = join(dir, sub);
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      if (name.startsWith('.')) continue;
      const file = join(folder, name);
      let mtime: number;
      try {
        mtime = statSync(file).mtimeMs;
      } catch {
        continue; // moved or deleted while we listed
      }
      const parsed = await parseMail(await readHeaderBlock(file), { skipHtmlToText: true, skipTextToHtml: true });
      const headerDate = parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : null;
      entries.push({
        id: name.replace(/:2,.*$/, ''),
        file,
        date: (headerDate ?? new Date(mtime)).toISOString(),
        to: addressText(parsed.to),
        from: addressText(parsed.from),
        subject: parsed.subject ?? '',
        sortKey: mtime,
      });
    }
  }
  entries.sort((a, b) => b.sortKey - a.sortKey || b.id.localeCompare(a.id));
  return entries.map(({ sortKey: _sortKey, ...entry }) => entry);
}

/**
 * Reads one message of a Maildir by id: header lines, the decoded HTML and text parts, and the raw source.
 * An unknown id (or one that tries to leave the folder) is a DaybreakError ENOTFOUND.
 */
export async function readMaildirMessage(dir: string, id: string): Promise<MaildirMessage> {
  const file = locate(dir, id);
  if (!file) throw new DaybreakError('ENOTFOUND', `No message "${id}" in ${dir}`);
  const raw = await readFile(file, 'utf8');
  const parsed = await parseMail(raw, { skipTextToHtml: true });
  return {
    headers: parsed.headerLines.map(({ line }) => {
      const colon = line.indexOf(':');
      return { name: line.slice(0, colon).trim(), value: line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim() };
    }),
    html: typeof parsed.html === 'string' ? parsed.html : null,
    text: parsed.text ?? null,
    raw,
  };
}
