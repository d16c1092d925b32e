import type { ReactElement } from 'react';
import { render } from '@react-email/render';

/**
 * The React Email engine: an element in, the complete HTML document out (XHTML 1.0 Transitional doctype,
 * as email clients expect). Text content and attributes are escaped by React DOM's server renderer, which
 * `escapeHtml` mirrors byte for byte. The MJML engine (src/render/mjml-engine.ts) sits beside this one.
 */
export async function renderReactEmail(element: ReactElement): Promise<string> {
  return render(element);
}
