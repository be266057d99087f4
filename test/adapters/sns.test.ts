/** The SNS channel (lambda/channels/sns.ts) publishing through the adapter (lambda/aws/sns.ts) to a mocked SNS client. */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { buildAlertDocument } from '../../lambda/alerts/document';
import { everyRunPlan } from '../../lambda/alerts/plan';
import { publishJsonMessage, topicRegion } from '../../lambda/aws/sns';
import { deliverBySns } from '../../lambda/channels/sns';
import { snsParts } from '../../lambda/channels/sns-parts';
import type { AuditReport } from '../../lambda/report-format';
import { account, accountId, report } from '../unit/report-fixtures';

const sns = mockClient(SNSClient);
const client = new SNSClient({ region: 'eu-west-1' });
const TOPIC = 'arn:aws:sns:eu-west-1:111111111111:trailcheck-alerts';

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
});

const passing = () => report([account(accountId(1), 'PASS'), account(accountId(2), 'PASS'), account(accountId(3), 'SKIPPED')]);
const failing = () =>
  report([account(accountId(1), 'PASS'), account(accountId(2), 'FAIL'), account(accountId(3), 'ERROR'), account(accountId(4), 'FAIL'), account(accountId(5), 'SKIPPED')]);

function published() {
  const calls = sns.commandCalls(PublishCommand);
  expect(calls).toHaveLength(1);
  return calls[0].args[0].input;
}

/** What the CLI does with --topic-arn: every failing account, sent when something needs attention (or always with publishOnPass). */
function publishReport(sns: SNSClient, topicArn: string, r: AuditReport, options: { publishOnPass: boolean }) {
  const doc = buildAlertDocument(r, everyRunPlan(r, options.publishOnPass));
  return deliverBySns(doc, { publish: (m) => publishJsonMessage(sns, topicArn, m), parts: snsParts() });
}

describe('publishReport', () => {
  test('all PASS (and SKIPPED) → nothing published, with a reason', async () => {
    const result = await publishReport(client, TOPIC, passing(), { publishOnPass: false });
    expect(result.published).toBe(false);
    expect(result.reason).toBeTruthy();
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  test('all PASS with publishOnPass → published', async () => {
    const result = await publishReport(client, TOPIC, passing(), { publishOnPass: true });
    expect(result).toMatchObject({ published: true, messageId: 'msg-1', omittedAccounts: 0 });
    expect(published().Subject).toMatch(/PASS/);
  });

  test('a run error alone (no FAIL or ERROR account) → published', async () => {
    const r = report([account(accountId(1), 'PASS')], { errors: [{ code: 'LISTING_INCOMPLETE', message: 'listing stopped' }] });
    await publishReport(client, TOPIC, r, { publishOnPass: false });
    const input = published();
    expect(input.MessageAttributes?.['trailcheck.error']).toEqual({ DataType: 'Number', StringValue: '1' });
  });

  test('FAIL/ERROR → one Publish to the topic with MessageStructure json and the message id returned', async () => {
    const result = await publishReport(client, TOPIC, failing(), { publishOnPass: false });
    expect(result).toEqual({ published: true, messageId: 'msg-1', omittedAccounts: 0, kind: 'every-run' });
    const input = published();
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.MessageStructure).toBe('json');
  });

  test('Message parses to {default, email}: default is JSON naming the failing accounts, email is the text', async () => {
    await publishReport(client, TOPIC, failing(), { publishOnPass: false });
    const message = JSON.parse(published().Message as string);
    expect(Object.keys(message).sort()).toEqual(['default', 'email']);
    expect(typeof message.default).toBe('string');
    const json = JSON.parse(message.default);
    expect(json.type).toBe('trailcheck.audit');
    // ERROR first, then the FAILs in report order; PASS and SKIPPED are not listed.
    expect(json.accounts.map((a: { accountId: string; status: string }) => [a.accountId, a.status])).toEqual([
      [accountId(3), 'ERROR'],
      [accountId(2), 'FAIL'],
      [accountId(4), 'FAIL'],
    ]);
    expect(json.summary).toMatchObject({ FAIL: 2, ERROR: 1, PASS: 1, SKIPPED: 1, total: 5 });
    expect(typeof message.email).toBe('string');
    expect(message.email).toContain(accountId(2));
    expect(message.email).toContain('start-logging');
    expect(message.email).not.toMatch(/^\s*[{[]/);
  });

  test('Subject is ASCII, has no line break, is under 100 characters and states the counts', async () => {
    await publishReport(client, TOPIC, failing(), { publishOnPass: false });
    const subject = published().Subject as string;
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject).toContain('2 FAIL');
    expect(subject).toContain('1 ERROR');
  });

  test('a subject for a huge organization stays under 100 characters', async () => {
    const accounts = Array.from({ length: 120 }, (_, i) => account(accountId(i), i % 2 ? 'FAIL' : 'ERROR'));
    const r = report(accounts, { errors: [{ code: 'LISTING_INCOMPLETE', message: 'x' }] });
    r.summary = { ...r.summary, total: 123456789012, FAIL: 123456789, ERROR: 987654321 };
    await publishReport(client, TOPIC, r, { publishOnPass: false });
    const subject = published().Subject as string;
    expect(subject.length).toBeLessThan(100);
    expect(subject).not.toMatch(/[\r\n]/);
  });

  test('message attributes carry the FAIL count, the ERROR + run error count, the kind, and the change kinds and statuses listed', async () => {
    const r = report([account(accountId(1), 'FAIL'), account(accountId(2), 'FAIL'), account(accountId(3), 'ERROR')], {
      errors: [{ code: 'ACCOUNT_NOT_FOUND', message: 'Account 999999999999 was selected but is not in the organization.' }],
    });
    await publishReport(client, TOPIC, r, { publishOnPass: false });
    expect(published().MessageAttributes).toEqual({
      'trailcheck.fail': { DataType: 'Number', StringValue: '2' },
      'trailcheck.error': { DataType: 'Number', StringValue: '2' },
      // Without a previous report every failing account is new (the CLI, a first run).
      'trailcheck.kind': { DataType: 'String', StringValue: 'every-run' },
      'trailcheck.change': { DataType: 'String.Array', StringValue: '["new-error","new-fail","run-error"]' },
      'trailcheck.status': { DataType: 'String.Array', StringValue: '["ERROR","FAIL"]' },
    });
  });

  test('a rejected Publish propagates', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' }));
    await expect(publishReport(client, TOPIC, failing(), { publishOnPass: false })).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});

describe('topicRegion', () => {
  test.each([
    ['arn:aws:sns:eu-west-1:111111111111:t', 'eu-west-1'],
    ['arn:aws-us-gov:sns:us-gov-west-1:111111111111:t', 'us-gov-west-1'],
    ['arn:aws-cn:sns:cn-north-1:111111111111:t', 'cn-north-1'],
  ])('%s → %s', (arn, region) => {
    expect(topicRegion(arn)).toBe(region);
  });
});
