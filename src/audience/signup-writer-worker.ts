import { parentPort } from 'node:worker_threads';
import { openDatabase } from '../db/index.ts';
import { createSubscriberStore, type SignUpInput } from './subscriber-store.ts';

/**
 * The sign-up writer thread (see signup-writer.ts): its own connection to the same SQLite file, so the
 * group commit's fsync happens here and the web thread keeps answering while it waits.
 */
type Message = { type: 'init'; file: string } | { type: 'batch'; id: number; inputs: SignUpInput[]; now: string; intervalMs: number } | { type: 'close' };

let store: ReturnType<typeof createSubscriberStore> | null = null;
let close: (() => void) | null = null;

parentPort!.on('message', (message: Message) => {
  if (message.type === 'init') {
    const db = openDatabase(message.file);
    store = createSubscriberStore(db);
    close = () => db.close();
    parentPort!.postMessage({ type: 'ready' });
  } else if (message.type === 'batch') {
    try {
      const outcomes = store!.signUpMany(message.inputs, new Date(message.now), message.intervalMs);
      parentPort!.postMessage({ type: 'done', id: message.id, outcomes });
    } catch (error) {
      parentPort!.postMessage({ type: 'failed', id: message.id, message: (error as Error).message });
    }
  } else if (message.type === 'close') {
    close?.();
    parentPort!.close();
  }
});
