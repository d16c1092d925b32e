import type { TemplateDefinition } from '../src/render/index.ts';
import { briefing } from './briefing.tsx';
import { compact } from './compact.tsx';
import { confirmSubscription } from './confirm-subscription.tsx';
import { welcome } from './welcome.tsx';
import { unsubscribed } from './unsubscribed.tsx';

/**
 * Every email design Daybreak knows: add a template by importing it and listing it here.
 * Entries must not call imported functions at module load (templates and src/render import each other).
 */
export const templates: TemplateDefinition[] = [briefing, compact, confirmSubscription, welcome, unsubscribed];
