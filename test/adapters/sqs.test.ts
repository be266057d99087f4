/**
 * The ChangeMessageVisibility adapter (lambda/aws/sqs.ts): the queue ARN, receipt handle and
 * backoff checks, and the signed call against a local HTTP server answering as SQS (JSON 1.0).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsClients } from '../../lambda/aws/clients';
import { backoffSeconds, queueFromArn, sqsEndpoint, validReceiptHandle } from '../../lambda/aws/sqs';

describe('queueFromArn', () => {
  it('derives the queue URL, .com.cn in China', () => {
    expect(queueFromArn('arn:aws:sqs:us-east-1:111111111111:trailcheck-events')).toEqual({ partition: 'aws', region: 'us-east-1', accountId: '111111111111', name: 'trailcheck-events', url: 'https://sqs.us-east-1.amazonaws.com/111111111111/trailcheck-events' });
    expect(queueFromArn('arn:aws-cn:sqs:cn-north-1:111111111111:q')?.url).toBe('https://sqs.cn-north-1.amazonaws.com.cn/111111111111/q');
    expect(queueFromArn('arn:aws-us-gov:sqs:us-gov-west-1:111111111111:q.fifo')?.url).toBe('https://sqs.us-gov-west-1.amazonaws.com/111111111111/q.fifo');
  });
  it.each([
    [undefined],
    [42],
    [''],
    ['arn:aws:sns:us-east-1:111111111111:q'],
    ['arn:aws:sqs:us-east-1:11111111111:q'],
    ['arn:aws:sqs:us-east-1:111111111111:'],
    ['arn:aws:sqs:us-east-1:111111111111:q/../../other'],
    ['arn:aws:sqs:us-east-1:111111111111:q?x=1'],
    ['arn:aws:sqs:evil.example.com/x:111111111111:q'],
    ['arn:aws:sqs:us-east-1:111111111111:' + 'a'.repeat(81)],
    ['arn:aws-cn:sqs:us-east-1:111111111111:q'],
    ['arn:aws:sqs:cn-north-1:111111111111:q'],
    ['arn:aws:sqs:us-east-1:111111111111:q\n'],
  ])('refuses %p', (arn) => expect(queueFromArn(arn)).toBeUndefined());
});

describe('validReceiptHandle', () => {
  it('accepts printable ASCII, refuses anything else', () => {
    expect(validReceiptHandle('AQEBzWwaftRI0KuVm4tP+/7q1rGgNqicHq/RZcMk7aVb==')).toBe(true);
    for (const bad of [undefined, 1, '', 'a b', 'a\nb', 'é', 'x'.repeat(8193)]) expect(validReceiptHandle(bad)).toBe(false);
  });
});

describe('backoffSeconds', () => {
  it('60 s × 2^(n−1), capped at 900 s; a count that is not a positive whole number is the first', () => {
    expect(['1', '2', '3', '4', '5', '6', '50', '999999'].map(backoffSeconds)).toEqual([60, 120, 240, 480, 900, 900, 900, 900]);
    expect(backoffSeconds(3)).toBe(240);
    for (const bad of [undefined, '', '0', '-3', '2.5', 'abc', '1e3', '99999999999999', null, {}]) expect(backoffSeconds(bad)).toBe(60);
  });
});

describe('sqsEndpoint', () => {
  it('regional by default, .com.cn in China, AWS_ENDPOINT_URL_SQS before AWS_ENDPOINT_URL', () => {
    expect(sqsEndpoint('eu-west-1', {}).href).toBe('https://sqs.eu-west-1.amazonaws.com/');
    expect(sqsEndpoint('cn-north-1', {}).href).toBe('https://sqs.cn-north-1.amazonaws.com.cn/');
    expect(sqsEndpoint('us-east-1', { AWS_ENDPOINT_URL: 'http://a:1' }).href).toBe('http://a:1/');
    expect(sqsEndpoint('us-east-1', { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_SQS: 'http://b:2' }).href).toBe('http://b:2/');
  });
});

describe('the signed call (a local server answering as SQS)', () => {
  let server: http.Server;
  let url: string;
  let answers: Array<{ status: number; body: object | string }>;
  const seen: Array<{ method?: string; path?: string; target?: string; type?: string; auth?: string; body: string }> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, path: req.url, target: req.headers['x-amz-target'] as string, type: req.headers['content-type'], auth: req.headers.authorization, body });
        const a = answers.shift() ?? { status: 200, body: {} };
        res.writeHead(a.status, { 'content-type': 'application/x-amz-json-1.0', date: new Date().toUTCString() });
        res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
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
  const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/111111111111/trailcheck-events';

  it('POSTs / with the JSON 1.0 target and body, signed for sqs in the region', async () => {
    const c = clients();
    await c.sqs('eu-west-1').changeMessageVisibility(QUEUE, 'rh-1', 120);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/', target: 'AmazonSQS.ChangeMessageVisibility', type: 'application/x-amz-json-1.0' });
    expect(seen[0].auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAOWN\/\d{8}\/eu-west-1\/sqs\/aws4_request, SignedHeaders=.*x-amz-target.*, Signature=[0-9a-f]{64}$/);
    expect(JSON.parse(seen[0].body)).toEqual({ QueueUrl: QUEUE, ReceiptHandle: 'rh-1', VisibilityTimeout: 120 });
    c.close();
  });

  it('an error answer is thrown with its code; not retried when it is the caller’s', async () => {
    const c = clients();
    answers = [{ status: 400, body: { __type: 'com.amazonaws.sqs#ReceiptHandleIsInvalid', message: 'The input receipt handle is invalid.' } }];
    await expect(c.sqs('eu-west-1').changeMessageVisibility(QUEUE, 'rh-1', 60)).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid', $metadata: { httpStatusCode: 400 } });
    expect(seen).toHaveLength(1);
    c.close();
  });

  it('a throttle is retried; one that lasts is thrown', async () => {
    const c = clients();
    answers = [{ status: 400, body: { __type: 'com.amazonaws.sqs#ThrottlingException', message: 'Rate exceeded' } }];
    await c.sqs('eu-west-1').changeMessageVisibility(QUEUE, 'rh-1', 60);
    expect(seen).toHaveLength(2);
    seen.length = 0;
    answers = [0, 1, 2].map(() => ({ status: 500, body: 'not json' }));
    await expect(c.sqs('eu-west-1').changeMessageVisibility(QUEUE, 'rh-1', 60)).rejects.toMatchObject({ $metadata: { httpStatusCode: 500, attempts: 3 } });
    expect(seen).toHaveLength(3);
    c.close();
  });

  it('refuses, unsent, a timeout outside 0–43200 s or an invalid receipt handle', async () => {
    const c = clients();
    await expect(c.sqs('eu-west-1').changeMessageVisibility(QUEUE, 'rh-1', 43_201)).rejects.toThrow(RangeError);
    await expect(c.sqs('eu-west-1').changeMessageVisibility(QUEUE, 'rh-1', 1.5)).rejects.toThrow(RangeError);
    await expect(c.sqs('eu-west-1').changeMessageVisibility(QUEUE, 'rh 1\n', 60)).rejects.toThrow(/receipt handle/);
    expect(seen).toHaveLength(0);
    c.close();
  });
});
