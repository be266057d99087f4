/**
 * The channels that ride in the one SNS message: the JSON for machines and the email text
 * always, AWS Chatbot's custom notification when Chatbot is configured. A new channel that
 * rides SNS (an `sms` or `sqs` body, say) is its own file exporting an `SnsPart`, and one entry here.
 */
import { alertJsonPart } from './alert-json';
import { chatbotPart } from './chatbot';
import { emailPart } from './email';
import type { SnsPart } from './sns';

export function snsParts(options: { chatbot?: boolean } = {}): SnsPart[] {
  // The order is the order of the keys in the published message.
  return [alertJsonPart, emailPart, ...(options.chatbot ? [chatbotPart] : [])];
}
