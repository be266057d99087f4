/**
 * What to do about a call that failed, from what the error says rather than from which call it
 * was: a throttled or unreachable call is not fixed by deploying a role or granting a permission.
 */
import { isThrottlingError } from '@smithy/core/retry';
import { isAccessDenied } from '../aws/errors';
import type { CallError } from '../rule/types';

export type ErrorKind = 'throttling' | 'network' | 'clock' | 'access-denied' | 'credentials' | 'region-disabled' | 'invalid-request' | 'malformed' | 'server' | 'other';

const NETWORK_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError']);
const CLOCK_CODES = new Set(['RequestExpired', 'RequestTimeTooSkewed', 'RequestInTheFuture']);
/** The credentials a call was signed with were refused (as opposed to not being allowed the call). */
const CREDENTIAL_CODES = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'ExpiredToken', 'ExpiredTokenException', 'AuthFailure', 'SignatureDoesNotMatch', 'InvalidSignatureException', 'MissingAuthenticationToken', 'IncompleteSignature']);
const INVALID_CODES = new Set(['ValidationError', 'ValidationException', 'InvalidParameterValue', 'InvalidParameterException', 'MalformedPolicyDocument', 'InvalidInput']);
const SERVER_CODES = new Set(['InternalFailure', 'InternalError', 'InternalServerError', 'InternalServiceError', 'ServiceUnavailable', 'ServiceUnavailableException', 'ServiceFailure', 'ServiceException']);

export function errorKind(e: CallError): ErrorKind {
  const { code, message } = e;
  if (isThrottlingError({ name: code, $metadata: {} } as never) || /\(HTTP 429\)/.test(message)) return 'throttling';
  // Node's system codes (ECONNREFUSED, ENOTFOUND, ECONNRESET, ETIMEDOUT, EAI_AGAIN…), and timeouts.
  if (/^E[A-Z_]{3,}$/.test(code) || NETWORK_CODES.has(code) || /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)\b|socket hang up/.test(message)) return 'network';
  if (CLOCK_CODES.has(code) || /Signature (expired|not yet current)/.test(message)) return 'clock';
  if (code === 'RegionDisabledException') return 'region-disabled';
  if (CREDENTIAL_CODES.has(code)) return 'credentials';
  if (isAccessDenied(code)) return 'access-denied';
  if (code === 'MalformedResponse') return 'malformed';
  if (INVALID_CODES.has(code)) return 'invalid-request';
  if (SERVER_CODES.has(code) || /\(HTTP 5\d\d\)/.test(message)) return 'server';
  return 'other';
}

export interface AdviceContext {
  accountId: string;
  /** The audit role assumed in each member account. */
  roleName: string;
}

const CONCURRENCY = 'lower the concurrency (`--concurrency`, or `concurrency` in the deployment configuration)';
const ENDPOINT = 'and the endpoint in use (`AWS_ENDPOINT_URL`; for a Lambda in a VPC, its NAT gateway or VPC endpoint)';

/** The fix for a failed call, in a sentence a person can act on (none for a malformed answer). */
export function adviceFor(e: CallError, ctx: AdviceContext): string[] {
  const { accountId, roleName } = ctx;
  const [service, action] = e.call.split(':');
  const where = e.region ? ` in ${e.region}` : '';
  const assuming = e.call === 'sts:AssumeRole';
  switch (errorKind(e)) {
    case 'throttling':
      return [`AWS throttled ${action}${where} (${e.code}) for longer than the run could wait: run the audit again later, or ${CONCURRENCY} so fewer calls are made at once.`];
    case 'network':
      return [`${action}${where} could not reach ${service === 'sts' ? 'STS' : service === 'cloudtrail' ? 'CloudTrail' : service} (${e.code}): check the network connection, proxy and DNS ${ENDPOINT}, then run the audit again.`];
    case 'clock':
      return [`AWS rejected the request's time (${e.code}): this machine's clock is more than 5 minutes off; synchronize it (NTP), then run the audit again.`];
    case 'region-disabled':
      return [`STS is not activated in the region the audit calls from: activate it in the audit account's IAM account settings, or audit from another region (\`--region\`).`];
    case 'credentials':
      return assuming
        ? [`The run's own credentials were refused (${e.code}): refresh or replace them (\`aws sso login\`, \`AWS_PROFILE\`, the function's role), then run the audit again.`]
        : [`Account ${accountId} refused the audit role's credentials${where} (${e.code}): the region may not be enabled in that account (an opt-in region); audit from a region every account has enabled (\`--region\`).`];
    case 'access-denied':
      return assuming
        ? [
            `Check that the role ${roleName} exists in account ${accountId} (the member-roles StackSet creates it in every account of the organization; an account where its stack instance failed has none), that its trust policy allows the audit function's role (or, from the CLI, your credentials) to assume it with the configured ExternalId, if one is, and that no SCP denies sts:AssumeRole. AWS answers AccessDenied for a missing role and for a trust policy that does not allow the caller alike.`,
          ]
        : [`Allow ${e.call} to the role ${roleName} in account ${accountId} (the member-roles StackSet grants it), and check that no SCP or permissions boundary denies it.`];
    case 'invalid-request':
      return assuming
        ? [`AWS refused the AssumeRole request as invalid (${e.code}): check the role name (${roleName}) and the ExternalId configured for the audit.`]
        : [`AWS refused ${action}${where} as invalid (${e.code}): run the audit again; if it persists, report it with the message above.`];
    case 'malformed':
      // The reason says which field cannot be right; nothing in such a response is worth a fix to act on.
      return [];
    case 'server':
      return [`${action}${where} failed on AWS's side (${e.code}): run the audit again later.`];
    case 'other':
      return assuming
        ? [`Run the audit again; if ${e.code} persists, check the role ${roleName} in account ${accountId} and its trust policy.`]
        : [`Run the audit again; if ${e.code} persists, check what it means for ${e.call}.`];
  }
}

/**
 * A new account whose audit role still cannot be assumed after the grace period (the real-time
 * audit retried until then): the StackSet's stack instance for it is what to look at.
 */
export function newAccountRoleAdvice(ctx: AdviceContext, joinedAt: string, graceMinutes: number): string {
  return `Account ${ctx.accountId} joined the organization at ${joinedAt} and the role ${ctx.roleName} still could not be assumed ${graceMinutes} minutes later: check the member-roles StackSet's stack instance for this account (automatic deployment to new accounts in the target OUs, its status and status reason in the StackSet's console), and that the account is in an OU the StackSet targets; the next scheduled run audits it again.`;
}
