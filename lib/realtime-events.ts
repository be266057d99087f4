/**
 * Real-time re-audit (issue 13), the parts without constructs: the names, the regions forwarded
 * by default, and the event patterns. Pure (no CDK), so lib/deploy-settings.ts can read the
 * default regions and the tests can hold the patterns against AWS's documented events.
 *
 * What is forwarded:
 *  - CloudTrail's own management events, from every member account and region (`realtimeRegions`):
 *    `detail-type` "AWS API Call via CloudTrail", `source` aws.cloudtrail, `eventSource`
 *    cloudtrail.amazonaws.com, the six calls that can change a verdict;
 *  - the Organizations events that mean a new or moved account, which Organizations emits in
 *    us-east-1 of the management account only: `CreateAccountResult` is a service event ("AWS
 *    Service Event via CloudTrail"), `AcceptHandshake` (an invited account joining) and
 *    `MoveAccount` are API calls ("AWS API Call via CloudTrail").
 */

/** Fixed names: the docs, the runbook and the member templates refer to them. */
export const REALTIME_NAMES = {
  /** The central event bus, in the audit account and region. */
  bus: 'trailcheck-events',
  /** The rule on the central bus that queues what the event function audits. */
  centralRule: 'trailcheck-events-to-queue',
  queue: 'trailcheck-events',
  deadLetterQueue: 'trailcheck-events-failed',
  function: 'trailcheck-event-audit',
  /** The event function's role: a fixed name, so member roles can trust it by aws:PrincipalArn. */
  functionRole: 'TrailcheckEventFunctionRole',
  /** The StackSet of forwarding rules (per region), separate from the member roles' (global). */
  stackSet: 'trailcheck-member-events',
  /** The forwarding rule on each account's default bus (member accounts and the management account). */
  forwardRule: 'trailcheck-forward-cloudtrail-changes',
  /** The management account's Organizations rule, in us-east-1. */
  organizationsRule: 'trailcheck-forward-account-changes',
  alarmDeadLetters: 'trailcheck-events-failed',
} as const;

/** The only region Organizations emits its events in. */
export const ORGANIZATIONS_EVENTS_REGION = 'us-east-1';

/**
 * The regions every account has enabled by default: those launched before 20 March 2019 (AWS
 * Account Management, "Enable or disable AWS Regions in your account"); every later region is
 * opt-in and is forwarded only when listed in `realtimeRegions`.
 */
export const DEFAULT_REALTIME_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
] as const;

/** CloudTrail's own calls that can change an account's verdict. */
export const CLOUDTRAIL_EVENT_NAMES = ['CreateTrail', 'DeleteTrail', 'UpdateTrail', 'StartLogging', 'StopLogging', 'PutEventSelectors'] as const;

export const API_CALL = 'AWS API Call via CloudTrail';
export const SERVICE_EVENT = 'AWS Service Event via CloudTrail';

/** What every account's forwarding rule matches on its default bus. */
export function cloudTrailChangePattern() {
  return {
    source: ['aws.cloudtrail'],
    'detail-type': [API_CALL],
    detail: { eventSource: ['cloudtrail.amazonaws.com'], eventName: [...CLOUDTRAIL_EVENT_NAMES] },
  };
}

/** A new account (created, or an invitation accepted), and an account moved between OUs. */
export function organizationsPatterns() {
  return [
    { source: ['aws.organizations'], 'detail-type': [SERVICE_EVENT], detail: { eventSource: ['organizations.amazonaws.com'], eventName: ['CreateAccountResult'] } },
    { source: ['aws.organizations'], 'detail-type': [API_CALL], detail: { eventSource: ['organizations.amazonaws.com'], eventName: ['AcceptHandshake', 'MoveAccount'] } },
  ];
}

/** The central rule: exactly the forwarded events (any other event an organization principal puts on the bus is left there). */
export function centralPattern() {
  return { $or: [cloudTrailChangePattern(), ...organizationsPatterns()] };
}

/** The central bus's ARN, from its parts (literals or tokens). */
export function centralBusArn(parts: { partition: string; region: string; account: string }): string {
  return `arn:${parts.partition}:events:${parts.region}:${parts.account}:event-bus/${REALTIME_NAMES.bus}`;
}
