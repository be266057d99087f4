/** The wire path's pure parts: error responses as the SDK shapes them, XML values, Retry-After, the clock offset. */
import { jsonError, queryError, retryAfterOf, sampleClock, xmlValue } from '../../lambda/aws/wire';

const raw = (status: number, body: string, headers: Record<string, string> = {}) => ({ status, body, headers });

describe('jsonError (AWS JSON 1.1 error responses)', () => {
  test.each([
    ['x-amzn-errortype header with a URL suffix', raw(400, '{}', { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/coral/' }), 'AccessDeniedException'],
    ['__type with a namespace', raw(400, '{"__type":"com.amazonaws.cloudtrail.v20131101#TrailNotFoundException"}'), 'TrailNotFoundException'],
    ['plain __type', raw(400, '{"__type":"ThrottlingException"}'), 'ThrottlingException'],
    ['code field', raw(400, '{"code":"ValidationException"}'), 'ValidationException'],
    ['no code at all', raw(502, '<html>Bad gateway</html>'), 'UnknownError'],
  ])('%s → %s', (_, r, code) => {
    expect(jsonError(r).name).toBe(code);
  });

  test('the header wins over the body, the message comes from message or Message, status and request id are kept', () => {
    const e = jsonError(raw(403, '{"__type":"Other","Message":"explicit deny in an SCP"}', { 'x-amzn-errortype': 'AccessDeniedException:', 'x-amzn-requestid': 'req-1' }));
    expect(e).toMatchObject({ name: 'AccessDeniedException', message: 'explicit deny in an SCP', $fault: 'client', $metadata: { httpStatusCode: 403, requestId: 'req-1' } });
    expect(jsonError(raw(503, '')).$fault).toBe('server');
    expect(jsonError(raw(503, '')).message).toBe('HTTP 503');
  });
});

describe('queryError (STS error responses)', () => {
  test('code, message and request id from the ErrorResponse, entities decoded', () => {
    const body =
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code>' +
      '<Message>User: arn:aws:iam::1:role/x is not authorized to perform: sts:AssumeRole on &quot;arn&quot; &amp; more</Message></Error><RequestId>abc</RequestId></ErrorResponse>';
    expect(queryError(raw(403, body))).toMatchObject({ name: 'AccessDenied', message: 'User: arn:aws:iam::1:role/x is not authorized to perform: sts:AssumeRole on "arn" & more', $metadata: { httpStatusCode: 403, requestId: 'abc' } });
  });

  test('a body that is not an ErrorResponse still gives an error with the status', () => {
    expect(queryError(raw(500, 'oops'))).toMatchObject({ name: 'UnknownError', message: 'HTTP 500', $fault: 'server' });
  });
});

test('xmlValue: the first element of that name, numeric entities included; undefined when absent', () => {
  expect(xmlValue('<a><SessionToken>x&#43;y&#x2F;z=</SessionToken></a>', 'SessionToken')).toBe('x+y/z=');
  expect(xmlValue('<a></a>', 'SessionToken')).toBeUndefined();
});

test('retryAfterOf: seconds or an HTTP date; anything else is no hint', () => {
  const t = retryAfterOf({ 'retry-after': '3' });
  expect(t!.getTime() - Date.now()).toBeGreaterThan(2000);
  expect(retryAfterOf({ 'retry-after': 'Wed, 21 Oct 2065 07:28:00 GMT' })?.toISOString()).toBe('2065-10-21T07:28:00.000Z');
  expect(retryAfterOf({ 'retry-after': 'soon' })).toBeUndefined();
  expect(retryAfterOf({})).toBeUndefined();
});

test('sampleClock: the service\'s Date less the local time, as the SDK computes it; kept when it cannot be trusted', () => {
  const now = Date.UTC(2024, 0, 1, 0, 0, 0);
  const hourAhead = new Date(now + 3_600_000).toUTCString();
  expect(sampleClock({ date: hourAhead }, 0, now - 100, now)).toBe(3_600_000);
  expect(sampleClock({ date: hourAhead, age: '30' }, 5, now - 100, now)).toBe(5); // a cache answered
  expect(sampleClock({ date: 'yesterday-ish' }, 5, now - 100, now)).toBe(5);
  expect(sampleClock({}, 5, now - 100, now)).toBe(5);
  expect(sampleClock({ date: hourAhead }, 5, now - 16 * 60_000, now)).toBe(5); // a 16-minute round trip
});
