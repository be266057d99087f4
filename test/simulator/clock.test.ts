/**
 * The simulator's clock (`clockOffsetSeconds`): a request signed too far from it is rejected in
 * each protocol's own words, as AWS rejects it, and every answer carries the clock in `Date`.
 */
import http from 'node:http';
import { parseScenario } from '../../simulator/scenario';
import type { Simulator } from '../../simulator/server';
import { amzDateOf, requestTimeProblem, sigV4Headers } from '../../simulator/sigv4';
import { baseScenario, CALLER, sharedSimulator } from './helpers';

let sim: Simulator;
sharedSimulator((s) => (sim = s));

const MIN = 60_000;

/** POSTs a request signed as the caller at `signedAt`; the status, the headers and the body. */
async function signedAt(service: 'sts' | 'cloudtrail' | 'organizations' | 's3', signed: Date) {
  const query = service === 'sts';
  const rest = service === 's3';
  const body = query ? 'Action=GetCallerIdentity&Version=2011-06-15' : rest ? '' : '{}';
  const method = rest ? 'GET' : 'POST';
  const pathname = rest ? '/some-bucket/some-key' : '/';
  const target = service === 'cloudtrail' ? 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails' : 'AWSOrganizationsV20161128.DescribeOrganization';
  const url = new URL(sim.url);
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': query ? 'application/x-www-form-urlencoded' : 'application/x-amz-json-1.1',
    ...(query ? {} : { 'x-amz-target': target }),
  };
  const auth = sigV4Headers({ method, url: pathname, headers, body }, CALLER, 'us-east-1', service, signed);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(`${sim.url}${pathname}`, { method, headers: { ...headers, ...auth, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const ago = (ms: number) => new Date(Date.now() - ms);

describe('with the clock right', () => {
  test('CloudTrail (JSON): 6 minutes late is InvalidSignatureException, in AWS’s words, with the service’s Date', async () => {
    const signed = ago(6 * MIN);
    const r = await signedAt('cloudtrail', signed);
    expect(r.status).toBe(400);
    const body = JSON.parse(r.body) as { __type: string; Message: string };
    expect(body.__type).toBe('InvalidSignatureException');
    expect(body.Message).toMatch(new RegExp(`^Signature expired: ${amzDateOf(signed)} is now earlier than \\d{8}T\\d{6}Z \\(\\d{8}T\\d{6}Z - 5 min\\.\\)$`));
    expect(Math.abs(Date.parse(String(r.headers.date)) - Date.now())).toBeLessThan(2000);
  });

  test('6 minutes early is "Signature not yet current"; 4 minutes either way is accepted', async () => {
    const r = await signedAt('cloudtrail', new Date(Date.now() + 6 * MIN));
    expect(JSON.parse(r.body).Message).toMatch(/^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/);
    expect((await signedAt('cloudtrail', ago(4 * MIN))).status).toBe(200);
    expect((await signedAt('cloudtrail', new Date(Date.now() + 4 * MIN))).status).toBe(200);
    expect((await signedAt('organizations', ago(6 * MIN))).body).toMatch(/"__type":"InvalidSignatureException".*Signature expired/);
  });

  test('STS (query): SignatureDoesNotMatch "Signature expired", 403, after 15 minutes (STS allows more than 5)', async () => {
    expect((await signedAt('sts', ago(10 * MIN))).status).toBe(200);
    const r = await signedAt('sts', ago(16 * MIN));
    expect(r.status).toBe(403);
    expect(r.body).toMatch(/<Code>SignatureDoesNotMatch<\/Code><Message>Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)<\/Message>/);
  });

  test('S3 (REST-XML): RequestTimeTooSkewed, 403, with the request time, the server time and the allowed skew', async () => {
    const signed = ago(16 * MIN);
    const r = await signedAt('s3', signed);
    expect(r.status).toBe(403);
    expect(r.body).toContain('<Code>RequestTimeTooSkewed</Code>');
    expect(r.body).toContain(`<RequestTime>${amzDateOf(signed)}</RequestTime>`);
    expect(r.body).toMatch(/<ServerTime>\d{4}-\d\d-\d\dT[\d:.]+Z<\/ServerTime><MaxAllowedSkewMilliseconds>900000<\/MaxAllowedSkewMilliseconds>/);
  });
});

test('clockOffsetSeconds: the simulated AWS clock runs that far ahead; a request signed by this machine’s clock is rejected, and Date says AWS’s time', async () => {
  sim.setScenario({ ...baseScenario(), clockOffsetSeconds: 3600 });
  const r = await signedAt('cloudtrail', new Date());
  expect(r.status).toBe(400);
  expect(JSON.parse(r.body).Message).toMatch(/^Signature expired/);
  expect(Math.abs(Date.parse(String(r.headers.date)) - (Date.now() + 3_600_000))).toBeLessThan(2000);
  expect((await signedAt('cloudtrail', new Date(Date.now() + 3_600_000))).status).toBe(200);
});

test('requestTimeProblem: the window and the words', () => {
  const now = new Date(Date.UTC(2024, 0, 1, 1, 0, 0));
  expect(requestTimeProblem('20240101T005400Z', now, 5 * MIN)).toBe('Signature expired: 20240101T005400Z is now earlier than 20240101T005500Z (20240101T010000Z - 5 min.)');
  expect(requestTimeProblem('20240101T005600Z', now, 5 * MIN)).toBeUndefined();
  expect(requestTimeProblem('not a date', now, 5 * MIN)).toBeUndefined();
});

test('clockOffsetSeconds is validated', () => {
  for (const bad of ['3600', Infinity, 8 * 86_400]) {
    expect(() => parseScenario({ ...baseScenario(), clockOffsetSeconds: bad }, 's.json')).toThrow(/clockOffsetSeconds: expected a number of seconds from -604800 to 604800/);
  }
  expect(parseScenario({ ...baseScenario(), clockOffsetSeconds: -3600 }, 's.json').clockOffsetSeconds).toBe(-3600);
});
