/**
 * Deliver: the alert document to the SNS topic, as one publish carrying every channel that rides
 * SNS (email, JSON, AWS Chatbot; Slack subscribes to the topic). The same step for the Lambda and
 * the CLI. A failed publish throws: the caller decides what a lost alert means for its run. The
 * alert routes (per-OU teams) each get their slice on their own topic.
 */
import type { AwsClients } from '../aws/clients';
import { publishJsonMessage, topicRegion } from '../aws/sns';
import type { AlertDocument } from '../alerts/document';
import type { OuMembers } from '../audit/ou-members';
import { deliverRoutes, type RoutesOutcome } from '../channels/routes';
import { deliverBySns, type PublishResult, type SnsPart } from '../channels/sns';
import type { AuditReport } from '../report-format';
import type { RouteTarget } from '../routes';

export interface DeliverDeps {
  clients: Pick<AwsClients, 'sns'>;
  topicArn: string;
  parts: SnsPart[];
}

export function deliverAlert(doc: AlertDocument, deps: DeliverDeps): Promise<PublishResult> {
  const sns = deps.clients.sns(topicRegion(deps.topicArn));
  return deliverBySns(doc, { publish: (m) => publishJsonMessage(sns, deps.topicArn, m), parts: deps.parts });
}

export interface RouteDeps extends DeliverDeps {
  report: AuditReport;
  routes: readonly RouteTarget[];
  ous: OuMembers;
}

/**
 * Each route its slice of the alert, on its own topic (`trailcheck-route-<name>`, beside the
 * central one). A route that fails is returned, never thrown, so no route stops another; the run
 * then leaves the pointer where it was, and fails, so the next run sends the changes again.
 */
export function deliverToRoutes(doc: AlertDocument, deps: RouteDeps): Promise<RoutesOutcome> {
  return deliverRoutes(doc, deps.routes, deps.ous, {
    publish: (topicArn, m) => publishJsonMessage(deps.clients.sns(topicRegion(topicArn)), topicArn, m),
    centralTopicArn: deps.topicArn,
    parts: deps.parts,
    report: deps.report,
  });
}
