import type { TemplateDefinition } from '../src/render/index.ts';
import { briefing } from './briefing.tsx';

/**
 * Every email design Daybreak knows: add a template by importing it and listing it here.
 * Entries must not call imported functions at module load (templates and src/render import each other).
 */
export const templates: TemplateDefinition[] = [briefing];
