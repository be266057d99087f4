/**
 * Exemptions in the Slack Block Kit message (the forwarder's rendering of the alert JSON) and in
 * the alert's subject: expiring and no-longer-needed exemptions and the exempt failing count in
 * one section within Slack's limits, an expired exemption said on its account, hostile owners
 * and reasons escaped; the subject counts exempt FAIL/ERROR accounts apart, within SNS's limit.
 */
import type { ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import { applyExemptions } from '../../lambda/audit/apply-exemptions';
import type { OuMembers } from '../../lambda/audit/ou-members';
import { buildAlertDocument, buildSubject, SUBJECT_ROOM, subjectFor } from '../../lambda/alerts/document';
import { everyRunPlan, planAlert, type PlanInput } from '../../lambda/alerts/plan';
import { renderAlertJson, type AlertJson } from '../../lambda/channels/alert-json';
import { routeDocuments } from '../../lambda/channels/routes';
import { slackPayloadFor } from '../../lambda/channels/slack/deliver';
import { exemptionSection, renderSlackMessage, SLACK_LIMITS, type SlackMessage } from '../../lambda/channels/slack/blocks';
import { MAX_SUBJECT_CHARS, toSubject } from '../../lambda/channels/sns';
import { parseExemptions } from '../../lambda/exemptions';
import type { AccountExemption, AccountReport, AuditReport } from '../../lambda/report-format';
import { account, accountId, report } from '../unit/report-fixtures';
import { buildAlert } from './build-alert';

const A = accountId(1);
const B = accountId(2);
const C = accountId(3);
const DAY1 = new Date('2026-03-01T12:00:00Z');
const NO_OUS: OuMembers = { members: new Map(), failed: new Map() };

/** A run's report at `now` with the exemptions applied, as the pipeline would produce it. */
function run(accounts: AccountReport[], items: object[], now: Date): AuditReport {
  const list = parseExemptions(
    items.map((e) => ({ reason: 'sandbox', owner: 'platform@example.com', ...e })),
    'exemptions',
    { now, maxDays: 365, atSynth: false },
  );
  const r = report(accounts);
  return applyExemptions({ ...r, run: { ...r.run, id: now.toISOString(), finishedAt: now.toISOString() } }, list, NO_OUS, now, 14);
}
const plan = (current: AuditReport, previous: AuditReport | undefined, now: Date, extra: Partial<PlanInput> = {}) =>
  planAlert({ mode: 'changes', reminderDays: 7, publishOnPass: false, current, now, ...(previous ? { previous: { report: previous, lastReminderAt: previous.run.finishedAt } } : {}), ...extra });
const json = (current: AuditReport, p: ReturnType<typeof plan>) => renderAlertJson(buildAlertDocument(current, p));
const slack = (j: AlertJson) => renderSlackMessage(j, 'trailcheck: subject');

const textOf = (b: KnownBlock) =>
  b.type === 'section' || b.type === 'header' ? ((b as SectionBlock).text?.text ?? '') : b.type === 'context' ? (b as ContextBlock).elements.map((e) => ('text' in e ? e.text : '')).join(' ') : '';
const allText = (m: SlackMessage) => m.blocks.map(textOf).join('\n');
const exemptionBlock = (m: SlackMessage) => m.blocks.find((b) => b.type === 'section' && /Exemptions expiring|Exemption no longer needed|under an exemption in force/.test(textOf(b)));

/** Slack's documented limits for what we send. */
function limitProblems(m: SlackMessage): string[] {
  const p: string[] = [];
  if (m.blocks.length > SLACK_LIMITS.blocks) p.push(`${m.blocks.length} blocks`);
  m.blocks.forEach((b, i) => {
    const t = textOf(b);
    if (b.type === 'section' && (t.length > SLACK_LIMITS.sectionText || t.length === 0)) p.push(`section ${i}: ${t.length} characters`);
    if (b.type === 'section' && (t.match(/```/g) ?? []).length % 2) p.push(`section ${i}: unclosed code block`);
  });
  const total = m.blocks.reduce((n, b) => n + textOf(b).length, 0);
  if (total > SLACK_LIMITS.totalText + SLACK_LIMITS.sectionText) p.push(`${total} characters in all`);
  return p;
}

/** The footer (report link, run id) is the message's last block. */
const endsWithFooter = (m: SlackMessage) => m.blocks[m.blocks.length - 1].type === 'context' && /^Full report: .* run `/.test(textOf(m.blocks[m.blocks.length - 1]));

describe('Slack: what the alert says about exemptions', () => {
  test('an exemption entering its warning days: title with the count, id, owner, expiry, ticket, days left and reason', () => {
    const items = [{ id: 'sandbox', accounts: [A], expires: '2026-03-20', ticket: 'SEC-9' }];
    const r0 = run([account(A, 'FAIL')], items, new Date('2026-03-05T12:00:00Z'));
    const now = new Date('2026-03-06T12:00:00Z');
    const r1 = run([account(A, 'FAIL')], items, now);
    const m = slack(json(r1, plan(r1, r0, now)));
    expect(limitProblems(m)).toEqual([]);
    expect(textOf(exemptionBlock(m) as KnownBlock)).toBe(
      [
        '*Exemptions expiring (1)*',
        '• `sandbox` owner platform@example.com, until 2026-03-20, ticket `SEC-9`, 14 days left: sandbox',
        '_1 failing account under an exemption in force is not listed; the full report lists it._',
      ].join('\n'),
    );
    // The exempt account is not listed as failing.
    expect(allText(m)).not.toContain(`\`${A}\` acct-`);
    expect(endsWithFooter(m)).toBe(true);
  });

  test('an exemption that ends today says so', () => {
    const items = [{ id: 'sandbox', accounts: [A], expires: '2026-03-01' }];
    const r = run([account(A, 'FAIL')], items, DAY1);
    expect(textOf(exemptionBlock(slack(json(r, plan(r, undefined, DAY1)))) as KnownBlock)).toContain('until 2026-03-01, ends today: sandbox');
  });

  test('an exempt account that now passes: "Exemption no longer needed", with the account and the exemption', () => {
    const items = [{ id: 'sandbox', accounts: [A], expires: '2026-06-30' }];
    const r0 = run([account(A, 'FAIL')], items, DAY1);
    const day2 = new Date('2026-03-02T12:00:00Z');
    const r1 = run([account(A, 'PASS')], items, day2);
    const p = plan(r1, r0, day2);
    expect(p.send).toBe(true);
    const m = slack(json(r1, p));
    expect(limitProblems(m)).toEqual([]);
    expect(textOf(exemptionBlock(m) as KnownBlock)).toBe(
      ['*Exemption no longer needed (now PASS) (1)*', `• \`${A}\` acct-${A} passes: exemption \`sandbox\` owner platform@example.com, until 2026-06-30`].join('\n'),
    );
    expect(allText(m)).not.toMatch(/Resolved/);
  });

  test('an account alerted as newly failing because its exemption expired says so in its section, in the email\'s words', () => {
    const items = [{ id: 'sandbox', accounts: [A], expires: '2026-03-01' }];
    const lastDay = run([account(A, 'FAIL')], items, new Date('2026-03-01T23:59:59Z'));
    const after = new Date('2026-03-02T00:00:30Z');
    const r = run([account(A, 'FAIL')], items, after);
    const m = slack(json(r, plan(r, lastDay, after)));
    const section = m.blocks.map(textOf).find((t) => t.startsWith(`*FAIL* \`${A}\``)) as string;
    expect(section.split('\n')[1]).toBe('Exemption `sandbox` expired on 2026-03-01 (owner platform@example.com): no longer exempt.');
    // The email's line, the same words.
    const email = buildAlert(r, undefined, { plan: plan(r, lastDay, after) }).text;
    expect(email).toContain('Exemption sandbox expired on 2026-03-01 (owner platform@example.com): no longer exempt.');
  });

  test('an exemption that no longer applies says so on the account too', () => {
    const r0 = run([account(A, 'FAIL')], [{ id: 'sandbox', accounts: [A], expires: '2026-06-30' }], DAY1);
    const r1 = run([account(A, 'FAIL')], [], DAY1);
    const m = slack(json(r1, plan(r1, r0, DAY1)));
    expect(allText(m)).toContain('Exemption `sandbox` (owner platform@example.com) no longer applies (removed, or its OU could not be read): no longer exempt.');
  });

  test('no exemptions: no exemption section, and the message is as before (an alert JSON without the field too)', () => {
    const r = report([account(A, 'FAIL'), account(B, 'PASS')]);
    const j = json(r, plan(r, undefined, DAY1));
    const m = slack(j);
    expect(exemptionBlock(m)).toBeUndefined();
    expect(allText(m)).not.toMatch(/exempt/i);
    const { exemptions: _, ...old } = j;
    expect(slack(old as AlertJson)).toEqual(m);
  });

  test('hostile owners and reasons (config text) render as written: no mention, link, formatting or broken code span', () => {
    const owner = '<!channel> *boss* <https://evil.example|click> `x';
    const reason = 'ok <@U0123> & <!here> ```rm -rf``` _it_';
    const items = [{ id: 'sandbox', accounts: [A], expires: '2026-03-10', owner, reason, ticket: 'SEC`1 <!everyone>' }];
    const r = run([account(A, 'FAIL')], items, DAY1);
    const m = slack(json(r, plan(r, undefined, DAY1)));
    const text = textOf(exemptionBlock(m) as KnownBlock);
    expect(text).not.toMatch(/<!|<@|<https/);
    // The owner holds formatting characters: inline code (no formatting inside), its backtick replaced.
    expect(text).toContain("owner `&lt;!channel&gt; *boss* &lt;https://evil.example|click&gt; 'x`");
    expect(text).toContain("ticket `SEC'1 &lt;!everyone&gt;`");
    expect(text).toContain('ok &lt;@U0123&gt; &amp; &lt;!here&gt; ```rm -rf``` _it_');
    expect(limitProblems(m)).toEqual([]);
  });

  test('hostile expired exemption on an account: escaped in the account section', () => {
    const items = [{ id: 'sandbox', accounts: [A], expires: '2026-03-01', owner: '<!channel> *ops*' }];
    const lastDay = run([account(A, 'FAIL')], items, new Date('2026-03-01T23:59:59Z'));
    const after = new Date('2026-03-02T00:00:30Z');
    const r = run([account(A, 'FAIL')], items, after);
    const text = allText(slack(json(r, plan(r, lastDay, after))));
    expect(text).toContain('Exemption `sandbox` expired on 2026-03-01 (owner `&lt;!channel&gt; *ops*`): no longer exempt.');
    expect(text).not.toContain('<!channel>');
  });

  test('a message not ours (published to the topic): malformed exemptions never throw, control characters and entities are escaped', () => {
    const r = report([account(A, 'FAIL')]);
    const base = json(r, plan(r, undefined, DAY1));
    const bogus = [
      { expiring: 'x', unneeded: { a: 1 }, exemptFailing: '2; <!channel>' },
      { expiring: [null, 7, { id: '<!channel>\u202e', owner: 'a\u0000b', expires: '<x>', daysLeft: '<!here>', reason: 'r\u2028s' }], unneeded: [{ accountId: '<@U1>', exemption: null }], exemptFailing: -3 },
      null,
    ];
    for (const exemptions of bogus) {
      const message = JSON.stringify({ ...base, exemptions });
      const m = slackPayloadFor('trailcheck: x', message);
      expect(limitProblems(m)).toEqual([]);
      const text = allText(m);
      expect(text).not.toMatch(/<!|<@|[\u0000\u202e\u2028]/);
      expect(endsWithFooter(m)).toBe(true);
    }
    const m = slackPayloadFor('trailcheck: x', JSON.stringify({ ...base, exemptions: bogus[1] }));
    expect(allText(m)).toContain('&lt;!here&gt; left');
    expect(allText(m)).toContain('`&lt;@U1&gt;` passes: exemption ?');
  });

  test('many exemptions with the longest owners and reasons: one section within 3,000 characters, the rest counted, the exempt count always shown', () => {
    const long = (seed: string, n: number) => `${seed} `.repeat(Math.ceil(n / (seed.length + 1))).slice(0, n).trim();
    const exemption = (i: number) => ({
      id: `exemption-${i}`,
      accounts: [accountId(100 + i)],
      ous: [],
      reason: long('<because> & &', 500),
      owner: long('team<&>', 200),
      expires: '2026-03-10',
      ticket: long('T&', 200),
      daysLeft: 9,
      expiringSoon: true as const,
    });
    const r = report([account(A, 'FAIL')]);
    const j: AlertJson = {
      ...json(r, plan(r, undefined, DAY1)),
      exemptions: {
        expiring: Array.from({ length: 20 }, (_, i) => exemption(i)),
        omittedExpiring: 980,
        unneeded: Array.from({ length: 20 }, (_, i) => ({ accountId: accountId(200 + i), accountName: long('n*', 50), exemption: { ...exemption(i), via: 'account' } as AccountExemption })),
        omittedUnneeded: 5,
        exemptFailing: 1234,
      },
    };
    const section = exemptionSection(j) as SectionBlock;
    const text = section.text?.text as string;
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(text).toMatch(/^\*Exemptions expiring \(1000\)\*\n• `exemption-0` owner /);
    expect(text).toMatch(/_… \d+ more exemption lines in the full report\._\n_1234 failing accounts under an exemption in force are not listed; the full report lists them\._$/);
    // Each line whole: no entity or code span cut.
    expect(text).not.toMatch(/&[a-z]*(?![a-z;])|&[a-z]+(?=\s)/);
    for (const line of text.split('\n')) expect((line.match(/`/g) ?? []).length % 2).toBe(0);
  });

  test('a large organization with exemptions: within 50 blocks, the exemption section and the footer kept, the accounts that do not fit counted', () => {
    const accounts = Array.from({ length: 300 }, (_, i) => account(accountId(i + 1), 'FAIL'));
    const items = [{ id: 'sandbox', accounts: [accountId(1), accountId(2)], expires: '2026-03-05' }];
    const r = run(accounts, items, DAY1);
    const alert = buildAlert(r, undefined, { plan: everyRunPlan(r) });
    const m = renderSlackMessage(alert.json, alert.subject);
    expect(limitProblems(m)).toEqual([]);
    expect(m.blocks.length).toBe(SLACK_LIMITS.blocks);
    expect(textOf(exemptionBlock(m) as KnownBlock)).toContain('*Exemptions expiring (1)*');
    expect(textOf(exemptionBlock(m) as KnownBlock)).toContain('_2 failing accounts under an exemption in force are not listed; the full report lists them._');
    expect(endsWithFooter(m)).toBe(true);
    const shown = m.blocks.filter((b) => /^\*FAIL\* `\d{12}`/.test(textOf(b))).length;
    expect(allText(m)).toContain(`… and ${298 - shown} more accounts not shown here`);
  });

  test('without exemptions too, a full message keeps its footer (report link, run id) within 50 blocks', () => {
    const r = report(Array.from({ length: 100 }, (_, i) => account(accountId(i + 1), 'FAIL')));
    const alert = buildAlert(r);
    const m = renderSlackMessage(alert.json, alert.subject);
    expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(endsWithFooter(m)).toBe(true);
    expect(allText(m)).toMatch(/… and \d+ more accounts not shown here/);
  });
});

describe('the subject counts exempt FAIL/ERROR accounts apart', () => {
  const items = [{ id: 'sandbox', accounts: [accountId(11), accountId(12), accountId(13)], expires: '2026-06-30' }];
  const accounts = [
    account(A, 'FAIL'),
    account(B, 'FAIL'),
    account(C, 'ERROR'),
    account(accountId(11), 'FAIL'),
    account(accountId(12), 'ERROR'),
    account(accountId(13), 'PASS'),
    account(accountId(14), 'PASS'),
    account(accountId(15), 'SKIPPED'),
  ];

  test('every run: only the non-exempt failing accounts, then how many are exempt (an exempt PASS is not counted)', () => {
    const r = run(accounts, items, DAY1);
    expect(r.summary).toMatchObject({ FAIL: 3, ERROR: 2, exempt: 2 });
    expect(buildSubject(r)).toBe('trailcheck: 2 FAIL, 1 ERROR of 8 accounts (2 exempt)');
    const alert = buildAlert(r, undefined, { plan: everyRunPlan(r) });
    expect(alert.subject).toBe('trailcheck: 2 FAIL, 1 ERROR of 8 accounts (2 exempt)');
    expect(renderSlackMessage(alert.json, alert.subject).blocks[0]).toMatchObject({ text: { text: 'trailcheck: 2 FAIL, 1 ERROR of 8 accounts (2 exempt)' } });
  });

  test('only exempt accounts failing: never "all PASS"', () => {
    const r = run([account(A, 'FAIL'), account(B, 'PASS')], [{ accounts: [A], expires: '2026-06-30' }], DAY1);
    expect(buildSubject(r)).toBe('trailcheck: 1 PASS of 2 accounts (1 exempt)');
    expect(buildSubject({ ...r, summary: { ...r.summary, runErrors: 1 } })).toBe('trailcheck: run incomplete of 2 accounts (1 exempt)');
  });

  test('nothing exempt: the subjects are as before', () => {
    const r = run(accounts, [{ accounts: [accountId(13)], expires: '2026-06-30' }], DAY1);
    expect(buildSubject(r)).toBe('trailcheck: 3 FAIL, 2 ERROR of 8 accounts');
    expect(buildSubject(run([account(A, 'PASS')], [], DAY1))).toBe('trailcheck: all 1 audited accounts PASS');
  });

  test('changes: the change first, the exempt count with what is failing now', () => {
    const r0 = run(accounts.map((a) => (a.accountId === A ? { ...a, status: 'PASS' as const, reasons: [] } : a)), items, DAY1);
    const day2 = new Date('2026-03-02T12:00:00Z');
    const r1 = run(accounts, items, day2);
    const p = plan(r1, r0, day2);
    expect(p.kind).toBe('changes');
    expect(buildAlertDocument(r1, p).subject).toBe('trailcheck: 1 newly FAIL (now 2 FAIL, 1 ERROR of 8, 2 exempt)');
    const onlyExempt = run([account(A, 'FAIL'), account(B, 'PASS')], [{ accounts: [A], expires: '2026-06-30' }], day2);
    expect(subjectFor(onlyExempt, { kind: 'changes', counts: { 'new-fail': 0, 'new-error': 0, resolved: 1, 'still-failing': 0 }, comparison: { newRunErrors: [] } })).toBe(
      'trailcheck: 1 resolved (now 1 PASS of 2, 1 exempt)',
    );
  });

  test('reminder: the exempt count beside the changes, in one parenthesis', () => {
    const r = run(accounts, items, DAY1);
    const counts = { 'new-fail': 1, 'new-error': 0, resolved: 0, 'still-failing': 2 };
    expect(subjectFor(r, { kind: 'reminder', counts, comparison: { newRunErrors: [] } })).toBe('trailcheck reminder: 2 FAIL, 1 ERROR of 8 accounts (2 exempt; 1 newly FAIL)');
    expect(subjectFor(r, { kind: 'reminder', counts: { ...counts, 'new-fail': 0 }, comparison: { newRunErrors: [{ code: 'X', message: 'y' }] } })).toBe(
      'trailcheck reminder: 2 FAIL, 1 ERROR of 8 accounts (2 exempt), run incomplete',
    );
  });

  test("within SNS's subject limit: the exempt count is left out rather than the subject cut", () => {
    expect(SUBJECT_ROOM).toBe(MAX_SUBJECT_CHARS);
    const big = (n: number) => ({ status: 'FAIL' as const, ...(n ? { exemption: { id: 'e', reason: 'r', owner: 'o', expires: '2026-06-30', via: 'account' } } : {}) });
    const summary = { total: 99_999, PASS: 0, FAIL: 99_999, ERROR: 0, SKIPPED: 0, runErrors: 0, exempt: 1 };
    const input = { summary, accounts: [big(1), ...Array.from({ length: 10 }, () => big(0))] };
    const counts = { 'new-fail': 12_345, 'new-error': 23_456, resolved: 34_567, 'still-failing': 0 };
    for (const kind of ['every-run', 'changes', 'reminder'] as const) {
      const s = subjectFor(input, { kind, counts, comparison: { newRunErrors: [{ code: 'X', message: 'y' }] } });
      expect(toSubject(s).length).toBeLessThanOrEqual(MAX_SUBJECT_CHARS);
      expect(s).toContain('99998 FAIL');
      if (s.length > MAX_SUBJECT_CHARS) expect(s).not.toContain('exempt');
    }
    // A short one keeps it.
    expect(subjectFor({ ...input, summary: { ...summary, total: 11, FAIL: 11 } }, { kind: 'every-run', counts, comparison: { newRunErrors: [] } })).toBe('trailcheck: 10 FAIL of 11 accounts (1 exempt)');
  });

  test("a route's subject counts its own exempt accounts apart", () => {
    const r = run(accounts, items, DAY1);
    const doc = buildAlertDocument(r, everyRunPlan(r));
    const [slice] = routeDocuments(doc, [{ name: 'team', ous: [], accounts: [A, accountId(11), accountId(14)] }], NO_OUS, r);
    expect(slice.document.subject).toBe('trailcheck: 1 FAIL of 3 accounts (1 exempt)');
  });
});
