/**
 * JSX typings for MJML's elements, so an MJML template in TSX gets typed attributes ("`mj-*`
 * elements with the same typed props"). React 19 renders custom elements' attributes verbatim, so these
 * names are MJML's own (kebab-case, string values). Only MJML's own attributes are listed: under strict
 * validation any other attribute fails the build, and here it already fails the type check.
 * See https://documentation.mjml.io/ for each attribute.
 */
import type { ReactNode } from 'react';

type Px = string;

interface MjGlobal {
  children?: ReactNode;
  key?: string | number;
  'css-class'?: string;
  'mj-class'?: string;
}

interface MjPadding {
  padding?: Px;
  'padding-top'?: Px;
  'padding-bottom'?: Px;
  'padding-left'?: Px;
  'padding-right'?: Px;
}

interface MjBorder {
  border?: string;
  'border-top'?: string;
  'border-bottom'?: string;
  'border-left'?: string;
  'border-right'?: string;
  'border-radius'?: Px;
}

interface MjFont {
  color?: string;
  'font-family'?: string;
  'font-size'?: Px;
  'font-style'?: string;
  'font-weight'?: string;
  'line-height'?: Px;
  'letter-spacing'?: Px;
  'text-decoration'?: string;
  'text-transform'?: string;
}

interface MjSectionAttributes extends MjGlobal, MjPadding, MjBorder {
  'background-color'?: string;
  'background-url'?: string;
  'background-repeat'?: string;
  'background-size'?: string;
  'background-position'?: string;
  direction?: 'ltr' | 'rtl';
  'full-width'?: 'full-width';
  'text-align'?: 'left' | 'center' | 'right';
}

interface MjColumnAttributes extends MjGlobal, MjBorder {
  'background-color'?: string;
  'inner-background-color'?: string;
  direction?: 'ltr' | 'rtl';
  padding?: Px;
  'padding-top'?: Px;
  'padding-bottom'?: Px;
  'padding-left'?: Px;
  'padding-right'?: Px;
  'vertical-align'?: 'top' | 'middle' | 'bottom';
  width?: string;
}

interface MjTextAttributes extends MjGlobal, MjPadding, MjFont {
  align?: 'left' | 'center' | 'right' | 'justify';
  'background-color'?: string;
  'container-background-color'?: string;
  height?: Px;
  'vertical-align'?: 'top' | 'middle' | 'bottom';
}

interface MjButtonAttributes extends MjGlobal, MjPadding, MjBorder, MjFont {
  href?: string;
  align?: 'left' | 'center' | 'right';
  'background-color'?: string;
  'container-background-color'?: string;
  'inner-padding'?: Px;
  rel?: string;
  target?: string;
  title?: string;
  'text-align'?: 'left' | 'center' | 'right';
  'vertical-align'?: 'top' | 'middle' | 'bottom';
  width?: Px;
  height?: Px;
}

interface MjImageAttributes extends MjGlobal, MjPadding, MjBorder {
  src: string;
  alt: string;
  width?: Px;
  height?: Px | 'auto';
  href?: string;
  title?: string;
  rel?: string;
  target?: string;
  align?: 'left' | 'center' | 'right';
  'container-background-color'?: string;
  'fluid-on-mobile'?: 'true' | 'false';
}

interface MjDividerAttributes extends MjGlobal, MjPadding {
  'border-color'?: string;
  'border-style'?: string;
  'border-width'?: Px;
  'container-background-color'?: string;
  width?: string;
  align?: 'left' | 'center' | 'right';
}

interface MjSpacerAttributes extends MjGlobal, MjPadding, MjBorder {
  height?: Px;
  'container-background-color'?: string;
}

/** Inside <mj-attributes>: defaults for every element (mj-all), a class, or one element type. */
interface MjAttributesChildren {
  'mj-all': MjGlobal & Partial<MjTextAttributes>;
  'mj-class': MjGlobal & { name: string } & Partial<MjTextAttributes & MjSectionAttributes>;
}

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements extends MjAttributesChildren {
      mjml: MjGlobal & { lang?: string; dir?: 'ltr' | 'rtl' | 'auto'; owa?: 'desktop' };
      'mj-head': MjGlobal;
      'mj-title': MjGlobal;
      'mj-preview': MjGlobal;
      'mj-attributes': MjGlobal;
      'mj-breakpoint': MjGlobal & { width: Px };
      'mj-style': MjGlobal & { inline?: 'inline'; dangerouslySetInnerHTML?: { __html: string } };
      'mj-body': MjGlobal & { width?: Px; 'background-color'?: string };
      'mj-wrapper': MjSectionAttributes & { gap?: Px };
      'mj-section': MjSectionAttributes;
      'mj-group': MjGlobal & { width?: string; 'background-color'?: string; direction?: 'ltr' | 'rtl'; 'vertical-align'?: 'top' | 'middle' | 'bottom' };
      'mj-column': MjColumnAttributes;
      'mj-text': MjTextAttributes;
      'mj-button': MjButtonAttributes;
      'mj-image': MjImageAttributes;
      'mj-divider': MjDividerAttributes;
      'mj-spacer': MjSpacerAttributes;
      'mj-raw': MjGlobal;
    }
  }
}
