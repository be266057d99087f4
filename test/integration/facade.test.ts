/**
 * The CloudTrail and STS facades of AwsClients: the four hot calls go over the wire path, any
 * other command through the SDK client (with the same credentials) instead of throwing.
 */
import { DescribeTrailsCommand, ListTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { USER_AGENT } from '../../lambda/aws/wire';
import { account, CALLER, clientsFor, config, goodTrail, MGMT, scenario, withSimulator } from './harness';

const T = '200000000001';
const s = scenario([account(T, { trails: [goodTrail()] })]);

test.each(['wire', 'sdk'] as const)('transport %s: CloudTrail ListTrails and STS GetCallerIdentity go through the SDK clients, the hot calls as before', async (transport) => {
  await withSimulator(s, async (sim) => {
    const clients = clientsFor(sim, config(), CALLER, transport);
    try {
      const sts = clients.assumeRole('us-east-1');
      await expect(sts.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: MGMT });
      const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${T}:role/TrailcheckAuditRole`, RoleSessionName: 'facade' }));
      const c = out.Credentials!;
      const member = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };

      const ct = clients.cloudTrail('us-east-1', member);
      await expect(ct.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).resolves.toMatchObject({ trailList: [expect.objectContaining({ Name: 'main' })] });
      // The simulator does not implement ListTrails: its answer shows the request reached it, signed as the member.
      await expect(ct.send(new ListTrailsCommand({}))).rejects.toMatchObject({ name: 'UnknownOperationException' });

      const byAction = (a: string) => sim.calls.filter((x) => x.action === a);
      expect(byAction('GetCallerIdentity')).toHaveLength(1);
      expect(byAction('ListTrails')).toEqual([expect.objectContaining({ account: T, accessKeyId: member.accessKeyId })]);
      const sdkAgent = (ua?: string) => /aws-sdk-js/.test(ua ?? '');
      expect(sdkAgent(byAction('GetCallerIdentity')[0].userAgent)).toBe(true);
      expect(sdkAgent(byAction('ListTrails')[0].userAgent)).toBe(true);
      for (const hot of [...byAction('AssumeRole'), ...byAction('DescribeTrails')]) expect(hot.userAgent === USER_AGENT).toBe(transport === 'wire');
    } finally {
      clients.close();
    }
  });
});
