/**
 * Deliver: the alert document to the SNS topic, as one publish carrying every channel that rides
 * SNS (email, JSON, AWS Chatbot; Slack subscribes to the topic). The same step for the Lambda and
 * the CLI. A failed publish throws: the caller decides what a lost alert means for its run.
 */
import type { AwsClients } from '../aws/clients';
import { publishJsonMessage, topicRegion } from '../aws/sns';
import type { AlertDocument } from '../alerts/document';
import { deliverBySns, type PublishResult, type SnsPart } from '../channels/sns';

export interface DeliverDeps {
  clients: Pick<AwsClients, 'sns'>;
  topicArn: string;
  parts: SnsPart[];
}

export function deliverAlert(doc: AlertDocument, deps: DeliverDeps): Promise<PublishResult> {
  const sns = deps.clients.sns(topicRegion(deps.topicArn));
  return deliverBySns(doc, { publish: (m) => publishJsonMessage(sns, deps.topicArn, m), parts: deps.parts });
}
