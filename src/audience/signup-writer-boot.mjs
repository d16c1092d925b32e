// Worker threads do not inherit the parent's TypeScript loader: register tsx here, then load the writer.
import { register } from 'tsx/esm/api';

register();
await import('./signup-writer-worker.ts');
