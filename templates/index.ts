import type { TemplateDefinition } from '../src/render/index.ts';
import { briefing } from './briefing.tsx';
import { compact } from './compact.tsx';
import { confirmSubscription } from './confirm-subscription.tsx';
import { welcome } from './welcome.tsx';
import { unsubscribed } from './unsubscribed.tsx';

/**
 * Every email design Daybreak knows: add a template by importing it and listing it here.
 * Template files import src/render's inner modules, not src/render/index.ts (which imports this list).
 */
export const templates: TemplateDefinition[] = [briefing, compact, confirmSubscription, welcome, unsubscribed];
