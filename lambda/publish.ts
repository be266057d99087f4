/** Sends the alert to SNS when something needs attention (or always, when configured). */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { buildAlert } from './report/message';
import { needsAttention, type AuditReport } from './report/types';

export interface PublishResult {
  published: boolean;
  messageId?: string;
  omittedAccounts?: number;
  /** Why nothing was sent. */
  reason?: string;
}

export async function publishReport(sns: SNSClient, topicArn: string, report: AuditReport, options: { publishOnPass: boolean }): Promise<PublishResult> {
  if (!needsAttention(report) && !options.publishOnPass) return { published: false, reason: 'every audited account passed' };
  const alert = buildAlert(report);
  const out = await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: alert.subject,
      Message: alert.message,
      MessageStructure: 'json',
      MessageAttributes: {
        'trailcheck.fail': { DataType: 'Number', StringValue: String(report.summary.FAIL) },
        'trailcheck.error': { DataType: 'Number', StringValue: String(report.summary.ERROR + report.summary.runErrors) },
      },
    }),
  );
  return { published: true, messageId: out.MessageId, omittedAccounts: alert.omittedAccounts };
}

/** `arn:aws:sns:eu-west-1:…` → `eu-west-1` (the topic must be called in its own region). */
export function topicRegion(topicArn: string): string {
  return topicArn.split(':')[3];
}
