import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createMailer, type Mailer } from '../../src/delivery/index.ts';
import { parseConfig } from '../../src/content/index.ts';
import { createPreviewApp, type Preview, type PreviewOptions } from '../../src/preview/routes.ts';

export interface PreviewHarness {
  dir: string;
  dataDir: string;
  configFile: string;
  varDir: string;
  app: Hono;
  preview: Preview;
  mailer: Mailer;
  /** Reads and rewrites one JSON file of the temp data folder. */
  editJson(relative: string, edit: (value: any) => any): void;
  close(): Promise<void>;
}

/**
 * A preview over a COPY of the sample data and config in a temp folder (tests write into it), with the
 * real mailer: the local mail server and its Maildir under the temp folder unless `env` says otherwise.
 */
export function previewHarness(options: Partial<PreviewOptions> & { env?: NodeJS.ProcessEnv } = {}): PreviewHarness {
  const dir = mkdtempSync(join(tmpdir(), 'daybreak-preview-'));
  const dataDir = join(dir, 'data');
  cpSync('data', dataDir, { recursive: true });
  const configFile = join(dir, 'daybreak.config.json');
  writeFileSync(configFile, readFileSync('daybreak.config.json', 'utf8'));
  const varDir = join(dir, 'var');
  const config = parseConfig(configFile, readFileSync(configFile, 'utf8'));
  const mailer = createMailer({ config, env: options.env ?? {}, varDir });
  const { env: _env, ...rest } = options;
  const { app, preview } = createPreviewApp({ dataDir, configFile, mailer, watch: false, ...rest });
  return {
    dir,
    dataDir,
    configFile,
    varDir,
    app,
    preview,
    mailer,
    editJson(relative, edit) {
      const file = join(dataDir, relative);
      writeFileSync(file, JSON.stringify(edit(JSON.parse(readFileSync(file, 'utf8'))), null, 2));
    },
    async close() {
      preview.close();
      await mailer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reads server-sent events from a fetch Response until `stop` returns true for one; returns them all. */
export async function readEvents(
  response: Response,
  stop: (event: { event: string; data: string }) => boolean,
): Promise<{ event: string; data: string }[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: { event: string; data: string }[] = [];
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return events;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = { event: 'message', data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event.event = line.slice(6).trim();
          else if (line.startsWith('data:')) event.data += line.slice(5).trim();
        }
        if (block.startsWith(':')) continue;
        events.push(event);
        if (stop(event)) return events;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
