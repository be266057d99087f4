/** The fix advice matches the error, not the call (lambda/audit/advice.ts): each error code → its advice. */
import { adviceFor, errorKind, type ErrorKind } from '../../lambda/audit/advice';
import { toCallError } from '../../lambda/aws/errors';
import type { CallError } from '../../lambda/rule/types';

const CTX = { accountId: '200000000001', roleName: 'TrailcheckAuditRole' };
const assume = (code: string, message = 'm'): CallError => ({ call: 'sts:AssumeRole', code, message, accountId: CTX.accountId });
const describe_ = (code: string, message = 'm'): CallError => ({ call: 'cloudtrail:DescribeTrails', code, message, accountId: CTX.accountId, region: 'us-east-1' });
const status = (code: string, message = 'm'): CallError => ({ call: 'cloudtrail:GetTrailStatus', code, message, accountId: CTX.accountId, region: 'eu-west-1' });
/** A Node network error as the HTTP handler throws it, through toCallError. */
const network = (code: string, call = 'cloudtrail:DescribeTrails') => toCallError(Object.assign(new Error(`connect ${code} 127.0.0.1:443`), { code }), call, { accountId: CTX.accountId, region: 'us-east-1' });

/** [case, error, kind, what the advice must say, what it must not] */
const ROWS: Array<[string, CallError, ErrorKind, RegExp[], RegExp[]]> = [
  // Throttling: later, or fewer at once, never a role or a permission.
  ['AssumeRole Throttling', assume('Throttling', 'Rate exceeded'), 'throttling', [/run the audit again later/, /--concurrency/], [/Deploy|role .* exists|Allow/]],
  ['DescribeTrails ThrottlingException', describe_('ThrottlingException', 'Rate exceeded'), 'throttling', [/later/, /--concurrency/], [/Allow/]],
  ['TooManyRequestsException', describe_('TooManyRequestsException'), 'throttling', [/--concurrency/], [/Allow/]],
  ['RequestLimitExceeded', status('RequestLimitExceeded'), 'throttling', [/--concurrency/], [/Allow/]],
  ['an unmodeled code with HTTP 429', describe_('SomethingElse', 'slow down (HTTP 429)'), 'throttling', [/--concurrency/], [/Allow/]],
  // Network: connectivity and endpoint.
  ['ECONNREFUSED on DescribeTrails', network('ECONNREFUSED'), 'network', [/could not reach CloudTrail/, /network connection, proxy and DNS/, /AWS_ENDPOINT_URL/, /VPC/], [/Allow/]],
  ['ENOTFOUND on AssumeRole', network('ENOTFOUND', 'sts:AssumeRole'), 'network', [/could not reach STS/, /AWS_ENDPOINT_URL/], [/trust policy|Deploy/]],
  ['ETIMEDOUT', network('ETIMEDOUT'), 'network', [/network connection/], [/Allow/]],
  ['ECONNRESET on GetTrailStatus', network('ECONNRESET', 'cloudtrail:GetTrailStatus'), 'network', [/GetTrailStatus in us-east-1 could not reach CloudTrail/], [/Allow/]],
  ['TimeoutError (the SDK names timeouts and resets so)', describe_('TimeoutError', 'socket hang up'), 'network', [/network connection/], [/Allow/]],
  ['a plain Error that says socket hang up', describe_('UnknownError', 'socket hang up'), 'network', [/network connection/], [/Allow/]],
  // Access denied: the role and its trust policy (AssumeRole); the permission (the trail reads).
  ['AssumeRole AccessDenied', assume('AccessDenied', 'not authorized to perform: sts:AssumeRole'), 'access-denied', [/TrailcheckAuditRole exists in account 200000000001/, /StackSet/, /trust policy allows/, /ExternalId/, /SCP/, /missing role/], [/later|--concurrency|network/]],
  ['DescribeTrails AccessDeniedException', describe_('AccessDeniedException'), 'access-denied', [/Allow cloudtrail:DescribeTrails to the role TrailcheckAuditRole in account 200000000001/, /SCP/], [/trust policy/]],
  ['GetTrailStatus UnauthorizedOperation', status('UnauthorizedOperation'), 'access-denied', [/Allow cloudtrail:GetTrailStatus/], []],
  // The clock.
  ['SignatureDoesNotMatch, signature expired', assume('SignatureDoesNotMatch', 'Signature expired: 20240101T000000Z is now earlier than 20240101T005500Z (20240101T010000Z - 5 min.)'), 'clock', [/clock is more than 5 minutes off/, /NTP/], [/trust policy/]],
  ['InvalidSignatureException, not yet current', describe_('InvalidSignatureException', 'Signature not yet current: 20240101T020000Z is still later than 20240101T010500Z (20240101T010000Z + 5 min.)'), 'clock', [/NTP/], [/Allow/]],
  ['RequestTimeTooSkewed', describe_('RequestTimeTooSkewed'), 'clock', [/clock/], []],
  // Credentials.
  ['AssumeRole InvalidClientTokenId: the run’s own credentials', assume('InvalidClientTokenId', 'The security token included in the request is invalid.'), 'credentials', [/run's own credentials were refused/, /aws sso login/], [/trust policy/]],
  ['AssumeRole ExpiredToken', assume('ExpiredToken'), 'credentials', [/refresh or replace them/], []],
  ['DescribeTrails UnrecognizedClientException: a region the account has not enabled', describe_('UnrecognizedClientException', 'The security token included in the request is invalid.'), 'credentials', [/may not be enabled in that account/, /--region/], [/Allow/]],
  ['RegionDisabledException', assume('RegionDisabledException'), 'region-disabled', [/STS is not activated/, /--region/], [/trust policy/]],
  // The request, the response, the service.
  ['AssumeRole ValidationError', assume('ValidationError', 'DurationSeconds exceeds the MaxSessionDuration'), 'invalid-request', [/role name \(TrailcheckAuditRole\) and the ExternalId/], [/later/]],
  ['MalformedResponse: no advice (the reason names the field; nothing in it is acted on)', describe_('MalformedResponse', 'DescribeTrails returned no trailList'), 'malformed', [/^$/], [/Allow/]],
  ['HTTP 503 ServiceUnavailable', assume('ServiceUnavailable', 'Service is unavailable (HTTP 503)'), 'server', [/failed on AWS's side/, /later/], [/trust policy/]],
  ['InternalFailure', describe_('InternalFailure'), 'server', [/later/], [/Allow/]],
  ['an unknown code on AssumeRole', assume('Mystery'), 'other', [/Run the audit again/, /TrailcheckAuditRole/], []],
];

describe.each(ROWS)('%s', (_name, e, kind, must, mustNot) => {
  test(`is ${kind}, and the advice says what fixes it`, () => {
    expect(errorKind(e)).toBe(kind);
    const advice = adviceFor(e, CTX).join(' ');
    for (const re of must) expect(advice).toMatch(re);
    for (const re of mustNot) expect(advice).not.toMatch(re);
  });
});

test('every kind of error but a malformed answer gets some advice', () => {
  for (const [, e, kind] of ROWS) expect(adviceFor(e, CTX).length > 0).toBe(kind !== 'malformed');
});
