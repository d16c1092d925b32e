import { z } from 'zod';

/**
 * An absolute http(s) URL: article links, images and author pages, and the config's `baseUrl`. One
 * definition so both files report a bad URL the same way (`[3].url: Invalid URL`).
 * The custom message is for a malformed string only: a missing or non-string value falls through
 * (undefined) to the parse's error map, which says "Required" or "Expected a string, got …".
 */
export const httpUrl = z
  .url({
    protocol: /^https?$/,
    error: (issue) => (issue.code === 'invalid_type' ? undefined : 'Invalid URL: expected an absolute http(s) URL'),
  })
  // JSON Schema's "uri" format takes javascript: and mailto: too; the pattern tells editors what zod checks.
  .meta({ pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' });
