import { coalesceByAccount, MAX_TRIGGERS } from '../../lambda/events/coalesce';
import { parseEvent, parseEventBody, TRAIL_EVENT_NAMES, type AccountEvent } from '../../lambda/events/trail-event';
import { acceptHandshake, createAccountResult, moveAccount, trailCall, type Json } from '../realtime/events';

const ok = (e: unknown): AccountEvent => {
  const p = parseEvent(e);
  if (!p.ok) throw new Error(`refused: ${p.reason}`);
  return p.event;
};
const refused = (e: unknown): string => {
  const p = parseEvent(e);
  if (p.ok) throw new Error('accepted');
  return p.reason;
};
/** The event with `detail` changed. */
const withDetail = (e: Json, change: (d: Json) => void): Json => {
  const copy = JSON.parse(JSON.stringify(e)) as Json;
  change(copy.detail as Json);
  return copy;
};

describe('each event the real-time audit acts on', () => {
  test.each(TRAIL_EVENT_NAMES.map((n) => [n]))('%s: the account, the trail, the caller, the source IP, time and id', (name) => {
    const e = trailCall(name, { account: '222222222222', trail: 'main', eventId: '6f0c2d4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f', eventTime: '2026-03-04T09:01:00Z' });
    expect(ok(e)).toEqual({
      kind: 'trail-change',
      accountId: '222222222222',
      eventName: name,
      eventId: '6f0c2d4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
      eventTime: '2026-03-04T09:01:00Z',
      region: 'us-east-1',
      trail: { name: 'main' },
      callerArn: 'arn:aws:sts::222222222222:assumed-role/Admin/alice',
      sourceIp: '203.0.113.7',
    });
  });

  test('a trail named by its ARN (StopLogging takes either)', () => {
    const arn = 'arn:aws:cloudtrail:us-east-1:222222222222:trail/main';
    expect(ok(trailCall('StopLogging', { trail: arn })).trail).toEqual({ name: 'main', arn });
  });

  test('CreateTrail and UpdateTrail say whether the trail is an organization trail', () => {
    expect(ok(trailCall('CreateTrail', { requestParameters: { isOrganizationTrail: true } })).isOrganizationTrail).toBe(true);
    expect(ok(trailCall('UpdateTrail', { requestParameters: { isOrganizationTrail: false } })).isOrganizationTrail).toBe(false);
  });

  test('a call made by an AWS service on the caller behalf, and an IPv6 source', () => {
    expect(ok(trailCall('StartLogging', { sourceIp: 'cloudformation.amazonaws.com' })).sourceIp).toBe('cloudformation.amazonaws.com');
    expect(ok(trailCall('StartLogging', { sourceIp: '2001:db8::1' })).sourceIp).toBe('2001:db8::1');
  });

  test('CreateAccountResult: the new account, from the service event details (no caller ARN)', () => {
    const e = ok(createAccountResult('333333333333'));
    expect(e).toMatchObject({ kind: 'new-account', accountId: '333333333333', eventName: 'CreateAccountResult', sourceIp: 'AWS Internal' });
    expect(e.callerArn).toBeUndefined();
  });

  test('AcceptHandshake of an invitation: the account that joined', () => {
    expect(ok(acceptHandshake('444444444444'))).toMatchObject({ kind: 'new-account', accountId: '444444444444', eventName: 'AcceptHandshake' });
  });

  test('MoveAccount: the moved account, from requestParameters.accountId', () => {
    expect(ok(moveAccount('555555555555'))).toMatchObject({ kind: 'moved-account', accountId: '555555555555', eventName: 'MoveAccount' });
  });
});

describe('hostile events are refused with the reason, never audited with guessed data', () => {
  const base = trailCall('StopLogging');
  test.each<[string, Json | string, RegExp]>([
    ['not JSON', 'not json', /not JSON/],
    ['another source', { ...base, source: 'aws.s3' }, /source "aws.s3"/],
    ['another detail-type', { ...base, 'detail-type': 'Object Created' }, /detail-type/],
    ['another event source', withDetail(base, (d) => (d.eventSource = 's3.amazonaws.com')), /eventSource "s3.amazonaws.com"/],
    ['an event name not about trails', withDetail(base, (d) => (d.eventName = 'DescribeTrails')), /eventName "DescribeTrails"/],
    ['a bad account id', { ...base, account: '12345' }, /account "12345" is not a 12-digit/],
    ['an account that is not the recipient', withDetail(base, (d) => (d.recipientAccountId = '999999999999')), /recipientAccountId "999999999999" is not the event's account/],
    ['a bad region', withDetail(base, (d) => (d.awsRegion = 'mars-1')), /awsRegion/],
    ['a time that is not ISO 8601', withDetail(base, (d) => (d.eventTime = 'yesterday')), /eventTime "yesterday"/],
    ['an event id that is not a UUID', withDetail(base, (d) => (d.eventID = '../../x')), /eventID/],
    ['a caller ARN that is not IAM or STS', withDetail(base, (d) => ((d.userIdentity as Json).arn = 'arn:aws:s3:::bucket')), /userIdentity.arn/],
    ['a caller ARN with a line break', withDetail(base, (d) => ((d.userIdentity as Json).arn = 'arn:aws:iam::222222222222:user/a\n*FAKE*')), /userIdentity.arn/],
    ['a source that is neither an IP nor a service', withDetail(base, (d) => (d.sourceIPAddress = '<!channel>')), /sourceIPAddress/],
    ['an injected trail name', trailCall('StopLogging', { trail: 'main`; rm -rf / #' }), /requestParameters.name .* is not a trail name/],
    ['a trail ARN of another account', trailCall('StopLogging', { trail: 'arn:aws:cloudtrail:us-east-1:999999999999:trail/main' }), /names a trail of account 999999999999/],
    ['CreateTrail given an ARN', trailCall('CreateTrail', { trail: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/main' }), /is not a trail name$/],
    ['missing requestParameters', withDetail(base, (d) => delete d.requestParameters), /requestParameters is missing/],
    ['missing detail', { ...base, detail: undefined }, /no detail/],
    ['a failed call', withDetail(base, (d) => (d.errorCode = 'AccessDenied')), /the call failed/],
    ['a failed account creation', createAccountResult('333333333333', { state: 'FAILED' }), /was not created/],
    ['a new account id that is not one', createAccountResult('3333'), /createAccountStatus.accountId "3333"/],
    ['a handshake that is not an invitation', acceptHandshake('444444444444', { action: 'ENABLE_ALL_FEATURES' }), /not an invitation/],
  ])('%s', (_case, event, reason) => {
    const parsed = typeof event === 'string' ? parseEventBody(event) : parseEvent(event);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  test('a reason quotes the hostile value cut short, as JSON (no raw control character)', () => {
    const r = refused(withDetail(trailCall('StopLogging'), (d) => (d.sourceIPAddress = `\u001b[2J${'x'.repeat(500)}`)));
    expect(r.length).toBeLessThan(200);
    expect(r).not.toMatch(/\u001b/);
  });
});

describe('coalescing a batch', () => {
  test('a burst of five events for one account is one audit, every trigger kept newest first', () => {
    const times = ['2026-03-04T09:01:00Z', '2026-03-04T09:01:04Z', '2026-03-04T09:01:02Z', '2026-03-04T09:01:03Z', '2026-03-04T09:01:01Z'];
    const items = times.map((t, i) => ({ messageId: `m${i}`, event: ok(trailCall('UpdateTrail', { eventTime: t })) }));
    const [one, ...rest] = coalesceByAccount([...items, { messageId: 'other', event: ok(trailCall('StopLogging', { account: '333333333333' })) }]);
    expect(rest).toHaveLength(1);
    expect(one.accountId).toBe('222222222222');
    expect(one.events.map((e) => e.eventTime)).toEqual([...times].sort().reverse());
    expect(one.messageIds).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  test('triggers are capped and the rest counted; a new account keeps its earliest event time', () => {
    const items = Array.from({ length: MAX_TRIGGERS + 3 }, (_, i) => ({ messageId: `m${i}`, event: ok(trailCall('StartLogging', { account: '333333333333', eventTime: `2026-03-04T09:${String(10 + i).padStart(2, '0')}:00Z` })) }));
    items.push({ messageId: 'new', event: ok(createAccountResult('333333333333', { eventTime: '2026-03-04T08:00:00Z' })) });
    const [b] = coalesceByAccount(items);
    expect(b.events).toHaveLength(MAX_TRIGGERS);
    expect(b.omittedEvents).toBe(4);
    expect(b.newAccountSince).toBe('2026-03-04T08:00:00Z');
  });
});
