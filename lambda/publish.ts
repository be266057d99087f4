/**
 * Sends the alert to SNS. With a plan (the Lambda): when the plan says so. Without one (the CLI):
 * when something needs attention, or always with `publishOnPass`.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertKind, AlertPlan } from './alerts/plan';
import { buildAlert, type ReportPointer } from './report/message';
import { needsAttention, type AuditReport } from './report-format';

export interface PublishResult {
  published: boolean;
  messageId?: string;
  omittedAccounts?: number;
  kind?: AlertKind;
  /** Why nothing was sent. */
  reason?: string;
}

export interface PublishOptions {
  publishOnPass: boolean;
  /** What to send (alert mode applied to the previous run); default: every failing account. */
  plan?: AlertPlan;
  /** Where the full report is, for the message. */
  report?: ReportPointer;
  /** Add the AWS Chatbot rendering (SNS `https` key). */
  chatbot?: boolean;
}

export async function publishReport(sns: SNSClient, topicArn: string, report: AuditReport, options: PublishOptions): Promise<PublishResult> {
  if (options.plan ? !options.plan.send : !needsAttention(report) && !options.publishOnPass) {
    return { published: false, reason: options.plan?.reason ?? 'every audited account passed' };
  }
  const alert = buildAlert(report, undefined, { plan: options.plan, report: options.report, chatbot: options.chatbot });
  const out = await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: alert.subject,
      Message: alert.message,
      MessageStructure: 'json',
      MessageAttributes: alert.attributes,
    }),
  );
  return { published: true, messageId: out.MessageId, omittedAccounts: alert.omittedAccounts, ...(options.plan ? { kind: options.plan.kind } : {}) };
}

/** `arn:aws:sns:eu-west-1:…` → `eu-west-1` (the topic must be called in its own region). */
export function topicRegion(topicArn: string): string {
  return topicArn.split(':')[3];
}
