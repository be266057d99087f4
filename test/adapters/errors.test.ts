/** lambda/aws/errors.ts: SDK failures turned into CallError evidence. */
import { AccessDeniedException } from '@aws-sdk/client-organizations';
import { TrailNotFoundException } from '@aws-sdk/client-cloudtrail';
import { DeadlineError, describeCallError, isAccessDenied, MalformedResponseError, toCallError } from '../../lambda/aws/errors';

const WHERE = { accountId: '222222222222', region: 'eu-west-1' };

describe('toCallError', () => {
  test('an SDK service exception: its name is the code, the HTTP status is added, where is kept', () => {
    const err = new AccessDeniedException({ message: 'You don\u2019t have permissions to access this resource.', $metadata: { httpStatusCode: 403 } });
    expect(toCallError(err, 'organizations:ListAccounts', WHERE)).toEqual({
      call: 'organizations:ListAccounts',
      code: 'AccessDeniedException',
      message: 'You don\u2019t have permissions to access this resource. (HTTP 403)',
      accountId: '222222222222',
      region: 'eu-west-1',
    });
  });

  test('the HTTP status is not repeated when the message already has it', () => {
    const err = new TrailNotFoundException({ message: 'Status 400: Unknown trail', $metadata: { httpStatusCode: 400 } });
    const e = toCallError(err, 'cloudtrail:GetTrailStatus', {});
    expect(e.code).toBe('TrailNotFoundException');
    expect(e.message).toBe('Status 400: Unknown trail');
  });

  test('no $metadata → no HTTP suffix', () => {
    const e = toCallError(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), 'cloudtrail:DescribeTrails', {});
    expect(e).toEqual({ call: 'cloudtrail:DescribeTrails', code: 'TimeoutError', message: 'socket hang up' });
  });

  test('local errors keep their name as the code (MalformedResponse, DeadlineExceeded)', () => {
    expect(toCallError(new MalformedResponseError('no trailList'), 'c', {}).code).toBe('MalformedResponse');
    expect(toCallError(new DeadlineError('late'), 'c', {}).code).toBe('DeadlineExceeded');
  });

  test('a plain Error with a Code field → the Code (query-protocol style)', () => {
    expect(toCallError(Object.assign(new Error('Throttled'), { Code: 'Throttling' }), 'sts:AssumeRole', {}).code).toBe('Throttling');
  });

  test('a plain Error with neither name nor Code → UnknownError', () => {
    expect(toCallError(new Error('boom'), 'x', {})).toMatchObject({ code: 'UnknownError', message: 'boom' });
  });

  test.each<[string, unknown, string]>([
    ['a string', 'just a string', 'just a string'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['an object with an empty message', { name: 'X', message: '' }, '[object Object]'],
  ])('a non-Error thrown value (%s) still gives a code and a message', (_name, thrown, message) => {
    const e = toCallError(thrown, 'x', {});
    expect(typeof e.code).toBe('string');
    expect(e.code.length).toBeGreaterThan(0);
    expect(e.message).toBe(message);
  });

  test('the message is flattened to one line (whitespace runs become one space, trimmed)', () => {
    const e = toCallError(Object.assign(new Error('  line one\n\n  line two\r\n\tline three  '), { name: 'ServiceUnavailable' }), 'x', {});
    expect(e.message).toBe('line one line two line three');
  });

  test('a long message is cut to 500 characters ending in "..."', () => {
    const e = toCallError(Object.assign(new Error('x'.repeat(2000)), { name: 'InternalFailure' }), 'x', {});
    expect(e.message).toHaveLength(500);
    expect(e.message.endsWith('...')).toBe(true);
  });

  test('a 500-character message is kept whole', () => {
    const e = toCallError(Object.assign(new Error('y'.repeat(500)), { name: 'InternalFailure' }), 'x', {});
    expect(e.message).toBe('y'.repeat(500));
  });

  test('a 501-character message is cut to 500', () => {
    const e = toCallError(Object.assign(new Error('z'.repeat(501)), { name: 'InternalFailure' }), 'x', {});
    expect(e.message).toBe(`${'z'.repeat(497)}...`);
  });

  test('a long message is cut on code points, never inside a surrogate pair', () => {
    const e = toCallError(Object.assign(new Error(`${'x'.repeat(496)}${'\u{1F600}'.repeat(10)}`), { name: 'InternalFailure' }), 'x', {});
    expect(e.message).toBe(`${'x'.repeat(496)}\u{1F600}...`);
    expect(e.message).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  test('an aborted deadline signal → DeadlineExceeded, whatever the error was', () => {
    const controller = new AbortController();
    controller.abort();
    const e = toCallError(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }), 'cloudtrail:GetEventSelectors', WHERE, controller.signal);
    expect(e).toMatchObject({ call: 'cloudtrail:GetEventSelectors', code: 'DeadlineExceeded', ...WHERE });
    expect(e.message).toMatch(/deadline/);
  });

  test('a signal that was not aborted does not change the code', () => {
    const e = toCallError(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }), 'x', {}, new AbortController().signal);
    expect(e.code).toBe('AccessDeniedException');
  });
});

describe('isAccessDenied', () => {
  test.each([
    ['AccessDeniedException', true],
    ['AccessDenied', true],
    ['UnauthorizedOperation', true],
    ['NotAuthorizedException', true],
    ['AuthorizationErrorException', true],
    ['ThrottlingException', false],
    ['TrailNotFoundException', false],
    ['MalformedResponse', false],
  ])('%s → %s', (code, expected) => {
    expect(isAccessDenied(code)).toBe(expected);
  });
});

describe('describeCallError', () => {
  test('with a region', () => {
    expect(describeCallError({ call: 'cloudtrail:DescribeTrails', code: 'AccessDeniedException', message: 'no', region: 'us-east-1' })).toBe(
      'cloudtrail:DescribeTrails in us-east-1 failed: AccessDeniedException: no',
    );
  });
  test('without a region', () => {
    expect(describeCallError({ call: 'sts:AssumeRole', code: 'AccessDenied', message: 'no' })).toBe('sts:AssumeRole failed: AccessDenied: no');
  });
});
