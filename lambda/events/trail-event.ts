/**
 * The events the real-time audit acts on, parsed and validated as hostile input: an EventBridge
 * event (as an EventBridge→SQS target delivers it, one per message body) from CloudTrail (a change
 * to a trail: "AWS API Call via CloudTrail", eventSource cloudtrail.amazonaws.com) or from
 * Organizations (an account created, joining or moved). Every field the audit or the alert uses is
 * checked against what AWS documents; an event that does not fit is refused with the reason, never
 * audited with guessed data. Pure: no I/O.
 */
import { isIP } from 'node:net';
import { ACCOUNT_ID, REGION, TRAIL_NAME, parseTrailArn } from '../rule/identifiers';

/** CloudTrail's own management events that can change an account's verdict. */
export const TRAIL_EVENT_NAMES = ['CreateTrail', 'DeleteTrail', 'UpdateTrail', 'StartLogging', 'StopLogging', 'PutEventSelectors'] as const;
/** Organizations events that mean an account is new, or moved (routes and exemptions follow OUs). */
export const ORGANIZATIONS_EVENT_NAMES = ['CreateAccountResult', 'AcceptHandshake', 'MoveAccount'] as const;
export type TrailEventName = (typeof TRAIL_EVENT_NAMES)[number];
export type OrganizationsEventName = (typeof ORGANIZATIONS_EVENT_NAMES)[number];

export const API_CALL = 'AWS API Call via CloudTrail';
export const SERVICE_EVENT = 'AWS Service Event via CloudTrail';

/** An event, validated: who to audit, and what the alert says set it off. */
export interface AccountEvent {
  /** `trail-change`: a CloudTrail call; `new-account`: created or joined (its role may not exist yet); `moved-account`: MoveAccount. */
  kind: 'trail-change' | 'new-account' | 'moved-account';
  /** The account to re-audit. */
  accountId: string;
  eventName: TrailEventName | OrganizationsEventName;
  /** CloudTrail's eventID (a UUID). */
  eventId: string;
  /** ISO 8601, as CloudTrail wrote it. */
  eventTime: string;
  /** The region the call was made in. */
  region: string;
  /** The trail the call named (its name, and its ARN when the call gave one). */
  trail?: { name: string; arn?: string };
  /** CreateTrail/UpdateTrail's IsOrganizationTrail, when the call said. */
  isOrganizationTrail?: boolean;
  /** userIdentity.arn, when CloudTrail gives one (service events have none). */
  callerArn?: string;
  /** sourceIPAddress as CloudTrail gives it: an IP address or an AWS service's name. */
  sourceIp?: string;
}

export type ParsedEvent = { ok: true; event: AccountEvent } | { ok: false; reason: string };

const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
/** An IAM or STS principal: users, roles, assumed-role sessions, federated users, root. */
const PRINCIPAL_ARN = /^arn:aws(-[a-z]{1,10}){0,2}:(iam|sts)::\d{12}:[\x21-\x7e]{1,1900}$/;
/** A service calling on someone's behalf (`cloudtrail.amazonaws.com`), or Organizations' own service events. */
const SERVICE_SOURCE = /^([a-z0-9-]{1,63}\.){1,4}amazonaws\.com$|^AWS Internal$/;
const MAX_QUOTED = 80;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A value as a reason may show it: JSON, cut short (it is hostile: logged, never believed). */
const quoted = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > MAX_QUOTED ? `${s.slice(0, MAX_QUOTED)}…` : s;
};

class Refused extends Error {}
const refuse = (reason: string): never => {
  throw new Refused(reason);
};

/** The event in one SQS message body, or why it is refused. */
export function parseEventBody(body: unknown): ParsedEvent {
  if (typeof body !== 'string') return { ok: false, reason: 'the message body is not text' };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the message body is not JSON' };
  }
  return parseEvent(value);
}

export function parseEvent(value: unknown): ParsedEvent {
  try {
    return { ok: true, event: readEvent(value) };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, reason: err.message };
    throw err;
  }
}

function readEvent(e: unknown): AccountEvent {
  if (!isObject(e)) refuse('the event is not a JSON object');
  const ev = e as Json;
  const detail = isObject(ev.detail) ? ev.detail : refuse('the event has no detail object');
  const account = accountId(ev.account, 'account');
  if (detail.recipientAccountId !== account) refuse(`detail.recipientAccountId ${quoted(detail.recipientAccountId)} is not the event's account ${account}`);
  const common = {
    eventId: typeof detail.eventID === 'string' && EVENT_ID.test(detail.eventID) ? detail.eventID : refuse(`detail.eventID ${quoted(detail.eventID)} is not a UUID`),
    eventTime: eventTime(detail.eventTime),
    region: typeof detail.awsRegion === 'string' && REGION.test(detail.awsRegion) ? detail.awsRegion : refuse(`detail.awsRegion ${quoted(detail.awsRegion)} is not a region`),
    ...caller(detail),
  };
  if (detail.errorCode !== undefined) refuse(`the call failed (detail.errorCode ${quoted(detail.errorCode)}): it changed nothing`);
  if (ev.source === 'aws.cloudtrail') return trailEvent(ev, detail, account, common);
  if (ev.source === 'aws.organizations') return organizationsEvent(ev, detail, common);
  return refuse(`source ${quoted(ev.source)} is neither aws.cloudtrail nor aws.organizations`);
}

type Common = Pick<AccountEvent, 'eventId' | 'eventTime' | 'region' | 'callerArn' | 'sourceIp'>;

function trailEvent(ev: Json, detail: Json, account: string, common: Common): AccountEvent {
  if (ev['detail-type'] !== API_CALL) refuse(`detail-type ${quoted(ev['detail-type'])} is not "${API_CALL}"`);
  if (detail.eventSource !== 'cloudtrail.amazonaws.com') refuse(`detail.eventSource ${quoted(detail.eventSource)} is not cloudtrail.amazonaws.com`);
  const name = detail.eventName;
  if (!TRAIL_EVENT_NAMES.includes(name as TrailEventName)) refuse(`detail.eventName ${quoted(name)} is not one of ${TRAIL_EVENT_NAMES.join(', ')}`);
  const params = isObject(detail.requestParameters) ? detail.requestParameters : refuse('detail.requestParameters is missing');
  // PutEventSelectors names the trail `TrailName`; the others `Name`.
  const field = name === 'PutEventSelectors' ? 'trailName' : 'name';
  const trail = trailOf(params[field], account, `detail.requestParameters.${field}`, name === 'CreateTrail');
  const org = params.isOrganizationTrail;
  if (org !== undefined && typeof org !== 'boolean') refuse(`detail.requestParameters.isOrganizationTrail ${quoted(org)} is not a boolean`);
  return { kind: 'trail-change', accountId: account, eventName: name as TrailEventName, ...common, trail, ...(typeof org === 'boolean' ? { isOrganizationTrail: org } : {}) };
}

function organizationsEvent(ev: Json, detail: Json, common: Common): AccountEvent {
  if (detail.eventSource !== 'organizations.amazonaws.com') refuse(`detail.eventSource ${quoted(detail.eventSource)} is not organizations.amazonaws.com`);
  const name = detail.eventName;
  if (name === 'CreateAccountResult') {
    if (ev['detail-type'] !== SERVICE_EVENT) refuse(`detail-type ${quoted(ev['detail-type'])} is not "${SERVICE_EVENT}"`);
    const status = isObject(detail.serviceEventDetails) && isObject(detail.serviceEventDetails.createAccountStatus) ? detail.serviceEventDetails.createAccountStatus : refuse('detail.serviceEventDetails.createAccountStatus is missing');
    if (status.state !== 'SUCCEEDED') refuse(`the account was not created (createAccountStatus.state ${quoted(status.state)})`);
    return { kind: 'new-account', accountId: accountId(status.accountId, 'detail.serviceEventDetails.createAccountStatus.accountId'), eventName: name, ...common };
  }
  if (ev['detail-type'] !== API_CALL) refuse(`detail-type ${quoted(ev['detail-type'])} is not "${API_CALL}"`);
  if (name === 'AcceptHandshake') return { kind: 'new-account', accountId: joinedAccount(detail), eventName: name, ...common };
  if (name === 'MoveAccount') {
    const params = isObject(detail.requestParameters) ? detail.requestParameters : refuse('detail.requestParameters is missing');
    return { kind: 'moved-account', accountId: accountId(params.accountId, 'detail.requestParameters.accountId'), eventName: name, ...common };
  }
  return refuse(`detail.eventName ${quoted(name)} is not one of ${ORGANIZATIONS_EVENT_NAMES.join(', ')}`);
}

/** The account that accepted an invitation: the handshake's ACCOUNT party (the caller's account must agree when both are given). */
function joinedAccount(detail: Json): string {
  const handshake = isObject(detail.responseElements) && isObject(detail.responseElements.handshake) ? detail.responseElements.handshake : refuse('detail.responseElements.handshake is missing');
  if (handshake.action !== 'INVITE') refuse(`the handshake is not an invitation to join (action ${quoted(handshake.action)})`);
  const parties = Array.isArray(handshake.parties) ? handshake.parties.filter((p) => isObject(p) && p.type === 'ACCOUNT') : [];
  if (parties.length !== 1) refuse(`the handshake names ${parties.length} ACCOUNT parties, not one`);
  const id = accountId((parties[0] as Json).id, 'detail.responseElements.handshake.parties[ACCOUNT].id');
  const identity = isObject(detail.userIdentity) ? detail.userIdentity.accountId : undefined;
  if (identity !== undefined && identity !== id) refuse(`the handshake's account ${id} is not the caller's account ${quoted(identity)}`);
  return id;
}

function accountId(v: unknown, field: string): string {
  return typeof v === 'string' && ACCOUNT_ID.test(v) ? v : refuse(`${field} ${quoted(v)} is not a 12-digit account id`);
}

function eventTime(v: unknown): string {
  return typeof v === 'string' && EVENT_TIME.test(v) && Number.isFinite(Date.parse(v)) ? v : refuse(`detail.eventTime ${quoted(v)} is not an ISO 8601 UTC time`);
}

/** userIdentity.arn (absent for service events) and sourceIPAddress, checked. */
function caller(detail: Json): Pick<AccountEvent, 'callerArn' | 'sourceIp'> {
  const identity = detail.userIdentity === undefined ? {} : isObject(detail.userIdentity) ? detail.userIdentity : refuse('detail.userIdentity is not an object');
  const arn = identity.arn;
  if (arn !== undefined && (typeof arn !== 'string' || !PRINCIPAL_ARN.test(arn))) refuse(`detail.userIdentity.arn ${quoted(arn)} is not an IAM or STS ARN`);
  const ip = detail.sourceIPAddress;
  if (ip !== undefined && (typeof ip !== 'string' || !(isIP(ip) !== 0 || SERVICE_SOURCE.test(ip)))) refuse(`detail.sourceIPAddress ${quoted(ip)} is neither an IP address nor an AWS service`);
  return { ...(arn === undefined ? {} : { callerArn: arn as string }), ...(ip === undefined ? {} : { sourceIp: ip as string }) };
}

/** A trail name, or the ARN of a trail of this account (CreateTrail takes a name only). */
function trailOf(v: unknown, account: string, field: string, nameOnly: boolean): { name: string; arn?: string } {
  if (typeof v === 'string' && TRAIL_NAME.test(v)) return { name: v };
  const arn = nameOnly ? undefined : parseTrailArn(v);
  if (!arn) return refuse(`${field} ${quoted(v)} is not a trail name${nameOnly ? '' : ' or trail ARN'}`);
  if (arn.accountId !== account) refuse(`${field} names a trail of account ${arn.accountId}, not of the event's account ${account}`);
  return { name: arn.name, arn: v as string };
}
