/**
 * The BatchImportFindings adapter (lambda/aws/security-hub.ts). Not through the SDK client (its
 * module says why), so aws-sdk-client-mock has no client to mock: the batching and adding-up are
 * tested with a fake `SecurityHubApi`, the signed call itself against a local HTTP server that
 * answers as Security Hub does (test/integration/security-hub.test.ts runs it against the simulator).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsClients } from '../../lambda/aws/clients';
import { batches, classifySecurityHubError, importFindingsAs, parseOutput, securityHubEndpoint, type SecurityHubApi } from '../../lambda/aws/security-hub';
import { AwsServiceError } from '../../lambda/aws/wire';

const finding = (i: number) => ({ Id: `f-${i}` });
const err = (code: string, message = '', status = 400) => new AwsServiceError(code, message, status, undefined, undefined);

describe('importFindingsAs', () => {
  it('sends at most 100 findings a call, in order, and adds up the answers and FailedFindings', async () => {
    const calls: number[] = [];
    const api: SecurityHubApi = {
      async batchImportFindings(findings) {
        calls.push(findings.length);
        const failed = findings.filter((f) => (f as { Id: string }).Id === 'f-150').map(() => ({ Id: 'f-150', ErrorCode: 'InvalidInput', ErrorMessage: 'bad' }));
        return { SuccessCount: findings.length - failed.length, FailedCount: failed.length, FailedFindings: failed };
      },
    };
    const out = await importFindingsAs(api, Array.from({ length: 250 }, (_, i) => finding(i)));
    expect(calls).toEqual([100, 100, 50]);
    expect(out).toEqual({ SuccessCount: 249, FailedCount: 1, FailedFindings: [{ Id: 'f-150', ErrorCode: 'InvalidInput', ErrorMessage: 'bad' }] });
  });

  it('exactly 100 is one call; none is no call', async () => {
    expect(batches(Array.from({ length: 100 }, finding)).length).toBe(1);
    expect(batches(Array.from({ length: 101 }, finding)).map((b) => b.length)).toEqual([100, 1]);
    const api = { batchImportFindings: jest.fn() };
    expect(await importFindingsAs(api, [])).toEqual({ SuccessCount: 0, FailedCount: 0, FailedFindings: [] });
    expect(api.batchImportFindings).not.toHaveBeenCalled();
  });

  it('a failed call throws (the step decides what it means)', async () => {
    const api: SecurityHubApi = { batchImportFindings: () => Promise.reject(err('InvalidAccessException', 'Account 1 is not subscribed to AWS Security Hub', 401)) };
    await expect(importFindingsAs(api, [finding(1)])).rejects.toThrow('not subscribed');
  });
});

describe('classifySecurityHubError', () => {
  it.each([
    ['InvalidAccessException', 'Account 222222222222 is not subscribed to AWS Security Hub', 'not-enabled'],
    ['InvalidAccessException', 'The caller is not authorized', 'denied'],
    ['AccessDeniedException', 'User is not authorized to perform: securityhub:BatchImportFindings', 'denied'],
    ['ThrottlingException', 'Rate exceeded', 'throttled'],
    ['TooManyRequestsException', 'Too many requests', 'throttled'],
    ['LimitExceededException', 'limit', 'throttled'],
    ['InternalException', 'boom', 'failed'],
    ['InvalidInputException', 'bad', 'failed'],
  ])('%s "%s" is %s', (code, message, kind) => {
    expect(classifySecurityHubError(err(code, message))).toBe(kind);
  });
  it('a network error is failed', () => expect(classifySecurityHubError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('failed'));
});

describe('parseOutput (the answer is hostile too)', () => {
  it('accepts what Security Hub documents', () => {
    expect(parseOutput('{"FailedCount":1,"SuccessCount":1,"FailedFindings":[{"Id":"a","ErrorCode":"InvalidInput","ErrorMessage":"m"}]}', 2).FailedFindings).toHaveLength(1);
  });
  it.each([['not json'], ['{}'], ['{"FailedCount":0,"SuccessCount":5,"FailedFindings":[]}'], ['{"FailedCount":-1,"SuccessCount":3,"FailedFindings":[]}'], ['{"FailedCount":0,"SuccessCount":"2","FailedFindings":[]}'], ['[]']])(
    'refuses %s for 2 findings sent',
    (body) => expect(() => parseOutput(body, 2)).toThrow(/BatchImportFindings/),
  );
});

describe('securityHubEndpoint', () => {
  it('regional by default, .com.cn in China, AWS_ENDPOINT_URL_SECURITYHUB before AWS_ENDPOINT_URL', () => {
    expect(securityHubEndpoint('eu-west-1', {}).href).toBe('https://securityhub.eu-west-1.amazonaws.com/');
    expect(securityHubEndpoint('cn-north-1', {}).href).toBe('https://securityhub.cn-north-1.amazonaws.com.cn/');
    expect(securityHubEndpoint('us-east-1', { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_SECURITYHUB: 'http://b:2' }).href).toBe('http://b:2/');
  });
});

describe('the signed call (a local server answering as Security Hub)', () => {
  let server: http.Server;
  let url: string;
  let answers: Array<{ status: number; body: object; headers?: Record<string, string> }>;
  const seen: Array<{ path?: string; auth?: string; body: string }> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ path: req.url, auth: req.headers.authorization, body });
        const a = answers.shift() ?? { status: 200, body: { FailedCount: 0, SuccessCount: JSON.parse(body).Findings.length, FailedFindings: [] } };
        res.writeHead(a.status, { 'content-type': 'application/json', date: new Date().toUTCString(), ...a.headers });
        res.end(JSON.stringify(a.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    answers = [];
    seen.length = 0;
  });
  const clients = () => new AwsClients({ maxAttempts: 3, callTimeoutMs: 2000, maxSockets: 4, endpoint: url, credentials: { accessKeyId: 'AKIAOWN', secretAccessKey: 's' } });

  it('POSTs /findings/import signed for securityhub in the region, as the account given', async () => {
    const c = clients();
    const out = await c.securityHub('eu-west-1', { accessKeyId: 'ASIAMEMBER', secretAccessKey: 'x', sessionToken: 't' }).batchImportFindings([finding(1)]);
    expect(out.SuccessCount).toBe(1);
    expect(seen[0].path).toBe('/findings/import');
    expect(seen[0].auth).toMatch(/Credential=ASIAMEMBER\/\d{8}\/eu-west-1\/securityhub\/aws4_request/);
    expect(JSON.parse(seen[0].body)).toEqual({ Findings: [finding(1)] });
    await c.securityHub('eu-west-1').batchImportFindings([finding(2)]);
    expect(seen[1].auth).toMatch(/Credential=AKIAOWN\//);
    c.close();
  });

  it('throttling is retried by the run’s strategy; a throttle that lasts is thrown as ThrottlingException', async () => {
    const c = clients();
    answers = [{ status: 429, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } }];
    expect((await c.securityHub('us-east-1').batchImportFindings([finding(1)])).SuccessCount).toBe(1);
    expect(seen).toHaveLength(2);
    answers = Array.from({ length: 5 }, () => ({ status: 429, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } }));
    const e = await c.securityHub('us-east-1').batchImportFindings([finding(1)]).catch((x) => x);
    expect(e.name).toBe('ThrottlingException');
    expect(classifySecurityHubError(e)).toBe('throttled');
    expect(e.$metadata.attempts).toBe(3);
    c.close();
  });

  it('not enabled and denied are not retried', async () => {
    const c = clients();
    answers = [{ status: 401, body: { Code: 'InvalidAccessException', Message: 'Account 222222222222 is not subscribed to AWS Security Hub' }, headers: { 'x-amzn-errortype': 'InvalidAccessException:http://internal.amazon.com/' } }];
    const e = await c.securityHub('us-east-1').batchImportFindings([finding(1)]).catch((x) => x);
    expect([e.name, classifySecurityHubError(e), seen.length]).toEqual(['InvalidAccessException', 'not-enabled', 1]);
    answers = [{ status: 403, body: { __type: 'AccessDeniedException', message: 'not authorized' } }];
    const d = await c.securityHub('us-east-1').batchImportFindings([finding(1)]).catch((x) => x);
    expect([d.name, classifySecurityHubError(d), seen.length]).toEqual(['AccessDeniedException', 'denied', 2]);
    c.close();
  });

  it('refuses more than 100 findings in one call', async () => {
    const c = clients();
    await expect(c.securityHub('us-east-1').batchImportFindings(Array.from({ length: 101 }, finding))).rejects.toThrow(RangeError);
    expect(seen).toHaveLength(0);
    c.close();
  });
});
