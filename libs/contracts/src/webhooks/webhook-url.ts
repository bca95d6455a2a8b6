import { z } from 'zod';

/** Where webhooks go: absolute http(s) URLs without credentials, at most 2000 characters. */
export const WebhookUrlSchema = z
  .string({ error: 'must be a string' })
  .max(2000, { error: 'must be at most 2000 characters' })
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an absolute http or https URL' }))
  .refine((value) => {
    // Zod runs refinements after a failed format check too: an unparsable URL is reported there.
    if (!URL.canParse(value)) return true;
    const url = new URL(value);
    return url.username === '' && url.password === '';
  }, 'must not carry a user name or password');
