/**
 * The channel seams (lambda/channels/): the alert document is rendered by parts that ride one SNS
 * publish, a new part is one more entry in that list, and the SNS channel alone decides what fits.
 */
import { buildAlertDocument, firstAccounts } from '../../lambda/alerts/document';
import { everyRunPlan, planAlert } from '../../lambda/alerts/plan';
import type { JsonMessage } from '../../lambda/aws/sns';
import { alertJsonPart } from '../../lambda/channels/alert-json';
import { emailPart } from '../../lambda/channels/email';
import { composeSnsMessage, deliverBySns, MAX_MESSAGE_BYTES, type SnsPart } from '../../lambda/channels/sns';
import { snsParts } from '../../lambda/channels/sns-parts';
import { account, accountId, report } from '../unit/report-fixtures';

const failing = report([account(accountId(1), 'FAIL'), account(accountId(2), 'ERROR'), account(accountId(3), 'PASS')]);
const passing = report([account(accountId(1), 'PASS')]);

/** A channel someone might add: a one-line text for SMS subscribers. */
const smsPart: SnsPart = { key: 'sms', render: (doc) => `${doc.subject}: ${doc.accounts.map((a) => a.accountId).join(' ')}${doc.omittedAccounts ? ` +${doc.omittedAccounts}` : ''}` };

function recorder() {
  const sent: JsonMessage[] = [];
  return { sent, publish: async (m: JsonMessage) => (sent.push(m), { messageId: `m-${sent.length}` }) };
}

describe('the alert document', () => {
  test('firstAccounts keeps the first accounts and counts the rest, resolved ones apart', () => {
    const previous = report([account(accountId(1), 'FAIL'), account(accountId(2), 'FAIL'), account(accountId(3), 'FAIL')]);
    const now = report([account(accountId(1), 'PASS'), account(accountId(2), 'FAIL'), account(accountId(3), 'ERROR')]);
    const withPrevious = buildAlertDocument(now, planAlert({ mode: 'every-run', reminderDays: 0, publishOnPass: false, current: now, previous: { report: previous }, now: new Date() }));
    expect(withPrevious.accounts.map((a) => a.change)).toEqual(['new-error', 'resolved', 'still-failing']);
    const one = firstAccounts(withPrevious, 1);
    expect(one).toMatchObject({ omittedAccounts: 2, omittedResolved: 1 });
    expect(one.accounts.map((a) => a.accountId)).toEqual([accountId(3)]);
    expect(firstAccounts(withPrevious, 3)).toBe(withPrevious);
  });
});

describe('the SNS channel composes its parts into one message', () => {
  const doc = buildAlertDocument(failing, everyRunPlan(failing));

  test('the parts the wiring chooses, in order: default and email, then https with Chatbot', () => {
    expect(Object.keys(JSON.parse(composeSnsMessage(doc, snsParts()).message))).toEqual(['default', 'email']);
    expect(Object.keys(JSON.parse(composeSnsMessage(doc, snsParts({ chatbot: true })).message))).toEqual(['default', 'email', 'https']);
  });

  test('a new part is one more entry: it rides the same publish, rendered from the same accounts', async () => {
    const { sent, publish } = recorder();
    const result = await deliverBySns(doc, { publish, parts: [...snsParts(), smsPart] });
    expect(result).toEqual({ published: true, messageId: 'm-1', omittedAccounts: 0, kind: 'every-run' });
    expect(sent).toHaveLength(1);
    const body = JSON.parse(sent[0].message);
    expect(Object.keys(body)).toEqual(['default', 'email', 'sms']);
    expect(body.sms).toBe(`trailcheck: 1 FAIL, 1 ERROR of 3 accounts: ${accountId(2)} ${accountId(1)}`);
  });

  test('the size limit holds every part together: when room runs out, every part shows the same first accounts', () => {
    const whole = composeSnsMessage(doc, [...snsParts(), smsPart], Number.POSITIVE_INFINITY);
    const m = composeSnsMessage(doc, [...snsParts(), smsPart], Buffer.byteLength(whole.message) - 1);
    expect(m.omittedAccounts).toBe(1);
    const body = JSON.parse(m.message);
    expect(JSON.parse(body.default).accounts.map((a: { accountId: string }) => a.accountId)).toEqual([accountId(2)]);
    expect(body.sms).toBe(`trailcheck: 1 FAIL, 1 ERROR of 3 accounts: ${accountId(2)} +1`);
    expect(body.email).toContain('and 1 more account failing');
  });

  test('attributes are over every listed account, whatever fits', () => {
    const m = composeSnsMessage(doc, snsParts(), 2_000);
    expect(m.omittedAccounts).toBeGreaterThan(0);
    expect(m.attributes['trailcheck.status']).toEqual({ DataType: 'String.Array', StringValue: '["ERROR","FAIL"]' });
  });

  test('SNS limits: the subject is cut to SNS, the document keeps its words', () => {
    const wordy = { ...doc, subject: `trailcheck reminder: ${'9'.repeat(120)} FAIL` };
    const m = composeSnsMessage(wordy, snsParts());
    expect(m.subject).toHaveLength(99);
    expect(m.document.subject).toBe(m.subject);
    expect(wordy.subject.length).toBeGreaterThan(99);
    expect(MAX_MESSAGE_BYTES).toBeLessThanOrEqual(256 * 1024);
  });

  test('a message needs a default body, and one body per key', () => {
    expect(() => composeSnsMessage(doc, [emailPart])).toThrow(/"default" body/);
    expect(() => composeSnsMessage(doc, [alertJsonPart, emailPart, { ...smsPart, key: 'email' }])).toThrow(/same SNS key/);
  });

  test('nothing is published when the plan sends nothing, and the reason is kept', async () => {
    const { sent, publish } = recorder();
    const quiet = buildAlertDocument(passing, everyRunPlan(passing, false));
    expect(await deliverBySns(quiet, { publish, parts: snsParts() })).toEqual({ published: false, reason: 'every audited account passed' });
    expect(sent).toEqual([]);
  });

  test('a failed publish propagates', async () => {
    const publish = async () => {
      throw Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' });
    };
    await expect(deliverBySns(doc, { publish, parts: snsParts() })).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});
