import { runCli, type Register } from './run-cli.ts';
// Each command lives in its own file under ./commands and registers itself here.
import { registerBuild } from './commands/build.ts';
import { registerServe } from './commands/serve.ts';
import { registerSubscribers } from './commands/subscribers.ts';
import { registerPreview } from './commands/preview.ts';
import { registerSend } from './commands/send.ts';
import { registerTemplates } from './commands/templates.ts';
import { registerStart } from './commands/start.ts';
import { registerRuns } from './commands/runs.ts';
import { registerWorker } from './commands/worker.ts';
import { registerDb } from './commands/db.ts';
import { registerFetch } from './commands/fetch.ts';
import { registerSources } from './commands/sources.ts';
import { registerSecret } from './commands/secret.ts';
import { registerInit } from './commands/init.ts';
import { registerInbound } from './commands/inbound.ts';
import { registerBounces } from './commands/bounces.ts';
import { registerCheck } from './commands/check.ts';

const commands: Register[] = [registerBuild, registerServe, registerSubscribers, registerPreview, registerSend, registerTemplates, registerStart, registerRuns, registerWorker, registerDb, registerFetch, registerSources, registerSecret, registerInit, registerInbound, registerBounces, registerCheck];

const status = await runCli(process.argv.slice(2), commands);
// The only place that exits: let pending stdout drain first.
process.exitCode = status;
