/**
 * The React Email components the templates use, imported one package each rather than through the
 * `@react-email/components` barrel: the barrel also loads Tailwind, Markdown and Prism (about 45 MB of
 * resident memory) that no Daybreak template uses. These packages are the
 * exact versions `@react-email/components` pins in package-lock.json.
 */
export { Body } from '@react-email/body';
export { Button } from '@react-email/button';
export { Column } from '@react-email/column';
export { Container } from '@react-email/container';
export { Head } from '@react-email/head';
export { Heading } from '@react-email/heading';
export { Hr } from '@react-email/hr';
export { Html } from '@react-email/html';
export { Img } from '@react-email/img';
export { Link } from '@react-email/link';
export { Preview } from '@react-email/preview';
export { Row } from '@react-email/row';
export { Section } from '@react-email/section';
export { Text } from '@react-email/text';
