import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new endpoint secret: `whsec_` and base64 of 32 random bytes, as Standard Webhooks writes it. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The three Standard Webhooks headers and the body they sign. */
export interface SignedMessage {
  headers: { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string };
  body: string;
}

/**
 * Signs a message with every secret given (the current one, and the previous one while a
 * rotation's overlap lasts): the specification sends several signatures space-separated, and a
 * receiver accepts the message if any one verifies with the secret it holds.
 */
export function signMessage(
  messageId: string,
  body: string,
  secrets: readonly string[],
  at = new Date(),
): SignedMessage {
  const signatures = secrets.map((secret) => new Webhook(secret).sign(messageId, at, body));
  return {
    headers: {
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signatures.join(' '),
    },
    body,
  };
}
