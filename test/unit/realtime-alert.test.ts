/** The real-time alert: the merged report, the plan narrowed to the re-audited account, and the trigger in every channel, escaped. */
import { buildAlertDocument } from '../../lambda/alerts/document';
import { planRealtimeAlert, type AlertTrigger } from '../../lambda/alerts/realtime';
import { renderAlertJson } from '../../lambda/channels/alert-json';
import { buildChatbotNotification } from '../../lambda/channels/chatbot';
import { renderEmailText } from '../../lambda/channels/email';
import { renderSlackMessage, triggerSection } from '../../lambda/channels/slack/blocks';
import { messageAttributes } from '../../lambda/channels/sns';
import type { AccountReport, AuditReport } from '../../lambda/report-format';
import { summarize } from '../../lambda/report-format';
import { mergeAccount } from '../../lambda/run/merge-report';

const entry = (accountId: string, status: AccountReport['status']): AccountReport => ({ accountId, accountName: `acct-${accountId.slice(-1)}`, status, reasons: status === 'FAIL' ? [{ code: 'NOT_LOGGING', message: 'not logging' }] : [], warnings: [], trails: [], remediation: [] });
const report = (id: string, accounts: AccountReport[]): AuditReport => ({
  schemaVersion: 1,
  tool: { name: 'trailcheck', version: 't' },
  run: { id, startedAt: '2026-03-04T09:00:00.000Z', finishedAt: '2026-03-04T09:00:05.000Z', durationMs: 5000, callerAccountId: '111111111111', callerArn: 'arn:aws:iam::111111111111:user/x', partition: 'aws', region: 'us-east-1', roleName: 'R', strict: false, organization: { available: true }, filters: {}, deadlineReached: false, errors: [], notes: [] },
  summary: summarize(accounts, 0),
  accounts,
});
const trigger = (callerArn = 'arn:aws:sts::222222222222:assumed-role/Admin/alice'): AlertTrigger => ({
  accountId: '222222222222',
  events: [{ eventName: 'StopLogging', eventId: '0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b', eventTime: '2026-03-04T09:01:00Z', region: 'us-east-1', trail: { name: 'main' }, callerArn, sourceIp: '203.0.113.7' }],
  omittedEvents: 0,
});

const previous = report('run-1', [entry('111111111111', 'PASS'), entry('222222222222', 'PASS'), entry('333333333333', 'FAIL')]);
const single = report('run-2', [entry('222222222222', 'FAIL')]);
const plan = (current: AuditReport, ids = ['222222222222']) => planRealtimeAlert({ previous: { report: previous, lastReminderAt: '2026-03-01T00:00:00.000Z' }, current, accountIds: ids, now: new Date('2026-03-04T09:02:00Z') });

test('merge: the account entry replaced in place, the others as they were, the summary recomputed, the run says what it continues', () => {
  const merged = mergeAccount(previous, single, '222222222222', { basedOn: 'run-1', accountIds: ['222222222222'], eventIds: ['e'] });
  expect(merged.accounts.map((a) => [a.accountId, a.status])).toEqual([['111111111111', 'PASS'], ['222222222222', 'FAIL'], ['333333333333', 'FAIL']]);
  expect(merged.summary).toMatchObject({ total: 3, PASS: 1, FAIL: 2 });
  expect(merged.run).toMatchObject({ id: 'run-2', realtime: { basedOn: 'run-1' } });
  expect(previous.accounts[1].status).toBe('PASS'); // the input is not edited
  const left = mergeAccount(previous, report('run-3', []), '333333333333', { basedOn: 'run-1', accountIds: ['333333333333'], eventIds: [] });
  expect(left.accounts.map((a) => a.accountId)).toEqual(['111111111111', '222222222222']);
  const added = mergeAccount(previous, report('run-4', [entry('444444444444', 'PASS')]), '444444444444', { basedOn: 'run-1', accountIds: ['444444444444'], eventIds: [] });
  expect(added.summary.total).toBe(4);
});

test('plan: only the re-audited account, never a reminder of the others still failing; the reminder clock kept', () => {
  const p = plan(mergeAccount(previous, single, '222222222222', { basedOn: 'run-1', accountIds: ['222222222222'], eventIds: [] }));
  expect(p).toMatchObject({ send: true, kind: 'realtime', lastReminderAt: '2026-03-01T00:00:00.000Z' });
  expect(p.accounts.map((a) => [a.account.accountId, a.change])).toEqual([['222222222222', 'new-fail']]);
  expect(p.nextReminderAt).toBeUndefined();
});

test('plan: a no-op sends nothing; a fix sends resolved', () => {
  const same = plan(mergeAccount(previous, report('r', [entry('222222222222', 'PASS')]), '222222222222', { basedOn: 'run-1', accountIds: [], eventIds: [] }));
  expect(same.send).toBe(false);
  const fixed = planRealtimeAlert({ previous: { report: previous }, current: mergeAccount(previous, report('r', [entry('333333333333', 'PASS')]), '333333333333', { basedOn: 'run-1', accountIds: [], eventIds: [] }), accountIds: ['333333333333'], now: new Date() });
  expect(fixed.accounts.map((a) => a.change)).toEqual(['resolved']);
});

test('the trigger in every channel: the call, the trail, the caller, the source IP, the time and the id; kind realtime for filters', () => {
  const merged = mergeAccount(previous, single, '222222222222', { basedOn: 'run-1', accountIds: ['222222222222'], eventIds: [] });
  const doc = buildAlertDocument(merged, plan(merged), { trigger: trigger() });
  expect(doc.subject).toBe('trailcheck: StopLogging in 222222222222: 1 newly FAIL (now 2 FAIL of 3)');
  expect(messageAttributes(doc)['trailcheck.kind'].StringValue).toBe('realtime');
  const line = 'StopLogging of trail main (us-east-1) by arn:aws:sts::222222222222:assumed-role/Admin/alice from 203.0.113.7 at 2026-03-04T09:01:00Z, event 0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b';
  expect(renderEmailText(doc)).toContain(`- ${line}`);
  const json = renderAlertJson(doc);
  expect(json.trigger).toEqual(trigger());
  expect(buildChatbotNotification(json, doc.subject).content.description).toContain(line);
  expect(JSON.stringify(renderSlackMessage(json, doc.subject).blocks)).toContain('`arn:aws:sts::222222222222:assumed-role/Admin/alice`');
});

test('hostile text in a trigger is escaped in Slack and Chatbot; a trigger of another shape shows nothing and never throws', () => {
  const merged = mergeAccount(previous, single, '222222222222', { basedOn: 'run-1', accountIds: ['222222222222'], eventIds: [] });
  const doc = buildAlertDocument(merged, plan(merged), { trigger: trigger('arn:aws:iam::222222222222:user/<!channel>`x\u001b[2J') });
  const json = renderAlertJson(doc);
  const slack = JSON.stringify(renderSlackMessage(json, doc.subject).blocks);
  expect(slack).not.toContain('<!channel>');
  expect(slack).toContain('&lt;!channel&gt;');
  expect(slack).not.toMatch(/\u001b/);
  const chat = buildChatbotNotification(json, doc.subject).content.description;
  expect(chat).not.toContain('<!channel>');
  expect(renderEmailText(doc)).not.toMatch(/\u001b/);
  for (const weird of [null, 'x', { events: 'no' }, { events: [null, 3, { eventName: { nested: true } }] }]) {
    expect(() => triggerSection({ trigger: weird as never })).not.toThrow();
  }
  expect(triggerSection({ trigger: { events: [7] } as never })).toBeUndefined();
});
