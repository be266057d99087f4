/**
 * The alert as one SNS message, composed the way the handler composes it: the alert document
 * built once from the plan (default: every failing account, what the CLI sends), then the parts
 * that ride SNS (the JSON for machines, the email text, and Chatbot's notification when asked).
 * The email, JSON and Chatbot renderings are also returned on their own, rendered from the
 * document the SNS channel settled on, to compare with what the message holds.
 */
import { buildAlertDocument, type ReportPointer } from '../../lambda/alerts/document';
import { everyRunPlan, type AlertPlan } from '../../lambda/alerts/plan';
import type { MessageAttributes } from '../../lambda/aws/sns';
import { renderAlertJson, type AlertJson } from '../../lambda/channels/alert-json';
import { buildChatbotNotification, type ChatbotNotification } from '../../lambda/channels/chatbot';
import { renderEmailText } from '../../lambda/channels/email';
import { composeSnsMessage, MAX_MESSAGE_BYTES } from '../../lambda/channels/sns';
import { snsParts } from '../../lambda/channels/sns-parts';
import type { AuditReport } from '../../lambda/report-format';

export interface AlertMessage {
  subject: string;
  /** The value of SNS `Message`: `{"default": <json>, "email": <text>[, "https": <chatbot>]}`. */
  message: string;
  omittedAccounts: number;
  text: string;
  json: AlertJson;
  chatbot?: ChatbotNotification;
  attributes: MessageAttributes;
}

export function buildAlert(report: AuditReport, maxBytes = MAX_MESSAGE_BYTES, options: { plan?: AlertPlan; report?: ReportPointer; chatbot?: boolean } = {}): AlertMessage {
  const doc = buildAlertDocument(report, options.plan ?? everyRunPlan(report), { location: options.report });
  const m = composeSnsMessage(doc, snsParts({ chatbot: options.chatbot }), maxBytes);
  const json = renderAlertJson(m.document);
  return {
    subject: m.subject,
    message: m.message,
    omittedAccounts: m.omittedAccounts,
    text: renderEmailText(m.document),
    json,
    ...(options.chatbot ? { chatbot: buildChatbotNotification(json, m.subject) } : {}),
    attributes: m.attributes,
  };
}
