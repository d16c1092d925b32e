/** The first line of the checks panel: the pre-send gate's verdict and the images that do not load. */
export interface ChecksHeadline {
  /** `pass`: nothing to look at; `warn`: the gate passes but images do not load; `fail`: the gate holds the edition. */
  status: 'pass' | 'warn' | 'fail';
  text: string;
}

/**
 * The checks panel's headline. The pre-send gate does not fetch images (a scheduled send must not hang
 * on an image host), so a gate that passes says nothing about pictures that will not load; the headline
 * counts those too, in the words of the panel's "Images that do not load" list, rather than a plain
 * "pass" above blank boxes.
 *
 * @example
 * checksHeadline(true, 3); // { status: 'warn', text: 'Pre-send checks: pass, but 3 images do not load' }
 */
export function checksHeadline(gateOk: boolean, imagesNotLoading: number): ChecksHeadline {
  const images = imagesNotLoading === 1 ? '1 image does not load' : `${imagesNotLoading} images do not load`;
  if (!gateOk) {
    return { status: 'fail', text: `Pre-send checks: the edition would be held${imagesNotLoading > 0 ? `, and ${images}` : ''}` };
  }
  if (imagesNotLoading > 0) return { status: 'warn', text: `Pre-send checks: pass, but ${images}` };
  return { status: 'pass', text: 'Pre-send checks: pass' };
}
