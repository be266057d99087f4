/**
 * EventBridge events in the shapes AWS documents (CloudTrail "AWS API Call via CloudTrail" with
 * its event record in `detail`; Organizations' CreateAccountResult service event), as an
 * EventBridge→SQS target delivers them: one JSON event per message body.
 */
import { randomUUID } from 'node:crypto';

export type Json = Record<string, unknown>;

export interface CallOptions {
  account?: string;
  trail?: string;
  region?: string;
  callerArn?: string;
  sourceIp?: string;
  eventTime?: string;
  eventId?: string;
  requestParameters?: Json;
  detail?: Json;
}

const envelope = (source: string, detailType: string, account: string, region: string, time: string, detail: Json): Json => ({
  version: '0',
  id: randomUUID(),
  'detail-type': detailType,
  source,
  account,
  time,
  region,
  resources: [],
  detail,
});

/** One of CloudTrail's own calls, as the member's default bus forwards it. */
export function trailCall(eventName: string, o: CallOptions = {}): Json {
  const account = o.account ?? '222222222222';
  const region = o.region ?? 'us-east-1';
  const time = o.eventTime ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const nameField = eventName === 'PutEventSelectors' ? 'trailName' : 'name';
  const params: Json = { [nameField]: o.trail ?? 'main', ...(eventName === 'PutEventSelectors' ? { eventSelectors: [{ readWriteType: 'WriteOnly', includeManagementEvents: true }] } : {}), ...o.requestParameters };
  return envelope('aws.cloudtrail', 'AWS API Call via CloudTrail', account, region, time, {
    eventVersion: '1.09',
    userIdentity: { type: 'AssumedRole', principalId: 'AROAEXAMPLEID:alice', arn: o.callerArn ?? `arn:aws:sts::${account}:assumed-role/Admin/alice`, accountId: account },
    eventTime: time,
    eventSource: 'cloudtrail.amazonaws.com',
    eventName,
    awsRegion: region,
    sourceIPAddress: o.sourceIp ?? '203.0.113.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: params,
    responseElements: null,
    requestID: randomUUID(),
    eventID: o.eventId ?? randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
    ...o.detail,
  });
}

/** Organizations' CreateAccountResult (a service event, in the management account, us-east-1). */
export function createAccountResult(newAccountId: string, o: { management?: string; state?: string; eventTime?: string; eventId?: string } = {}): Json {
  const mgmt = o.management ?? '111111111111';
  const time = o.eventTime ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return envelope('aws.organizations', 'AWS Service Event via CloudTrail', mgmt, 'us-east-1', time, {
    eventVersion: '1.08',
    userIdentity: { accountId: mgmt, invokedBy: 'AWS Internal' },
    eventTime: time,
    eventSource: 'organizations.amazonaws.com',
    eventName: 'CreateAccountResult',
    awsRegion: 'us-east-1',
    sourceIPAddress: 'AWS Internal',
    userAgent: 'AWS Internal',
    requestParameters: null,
    responseElements: null,
    eventID: o.eventId ?? randomUUID(),
    readOnly: false,
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: mgmt,
    serviceEventDetails: { createAccountStatus: { id: 'car-0123456789abcdef0123456789abcdef', state: o.state ?? 'SUCCEEDED', accountName: '****', accountId: newAccountId, requestedTimestamp: 'Oct 7, 2026 2:33:13 PM', completedTimestamp: 'Oct 7, 2026 2:33:16 PM' } },
    eventCategory: 'Management',
  });
}

/** AcceptHandshake of an invitation, as the management account's bus sees it. */
export function acceptHandshake(joinedAccountId: string, o: { management?: string; action?: string } = {}): Json {
  const mgmt = o.management ?? '111111111111';
  const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return envelope('aws.organizations', 'AWS API Call via CloudTrail', mgmt, 'us-east-1', time, {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${joinedAccountId}:user/admin`, accountId: joinedAccountId },
    eventTime: time,
    eventSource: 'organizations.amazonaws.com',
    eventName: 'AcceptHandshake',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.4',
    requestParameters: { handshakeId: 'h-examplehandshakeid111' },
    responseElements: { handshake: { id: 'h-examplehandshakeid111', action: o.action ?? 'INVITE', state: 'ACCEPTED', parties: [{ type: 'ORGANIZATION', id: 'a1b2c3d4e5' }, { type: 'ACCOUNT', id: joinedAccountId }] } },
    eventID: randomUUID(),
    eventType: 'AwsApiCall',
    recipientAccountId: mgmt,
  });
}

/** MoveAccount, in the management account. */
export function moveAccount(accountId: string, o: { management?: string } = {}): Json {
  const mgmt = o.management ?? '111111111111';
  const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return envelope('aws.organizations', 'AWS API Call via CloudTrail', mgmt, 'us-east-1', time, {
    userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${mgmt}:assumed-role/OrgAdmin/bob`, accountId: mgmt },
    eventTime: time,
    eventSource: 'organizations.amazonaws.com',
    eventName: 'MoveAccount',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.9',
    requestParameters: { accountId, sourceParentId: 'r-ab12', destinationParentId: 'ou-ab12-11111111' },
    eventID: randomUUID(),
    eventType: 'AwsApiCall',
    recipientAccountId: mgmt,
  });
}

/** An SQS event of these EventBridge events, one record each. */
export function sqsEvent(events: unknown[]): { Records: Array<{ messageId: string; body: string; receiptHandle: string; attributes: Json; eventSource: string; eventSourceARN: string }> } {
  return {
    Records: events.map((e, i) => ({
      messageId: `msg-${i}-${randomUUID()}`,
      receiptHandle: `rh-${i}`,
      body: typeof e === 'string' ? e : JSON.stringify(e),
      attributes: { ApproximateReceiveCount: '1' },
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:111111111111:trailcheck-events',
    })),
  };
}
