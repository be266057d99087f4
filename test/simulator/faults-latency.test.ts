import http from 'node:http';
import { CloudTrailClient, DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { PublishCommand } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Scenario, ScenarioFault } from '../../simulator/scenario-types';
import { startSimulator, type Simulator } from '../../simulator/server';
import { sigV4Headers } from '../../simulator/sigv4';
import { CALLER, MEMBER, MGMT, NO_ROLE, ROLE, TOPIC, baseScenario, errorOf, sharedSimulator } from './helpers';

let sim: Simulator;
const clients = sharedSimulator((s) => (sim = s));

function withFaults(...faults: ScenarioFault[]): Scenario {
  return { ...baseScenario(), faults };
}


describe('faults', () => {
  test('error: JSON and query services surface the code as err.name', async () => {
    sim.setScenario(
      withFaults(
        { service: 'cloudtrail', action: 'DescribeTrails', account: MEMBER, kind: 'error', code: 'AccessDeniedException', message: 'denied by SCP' },
        { service: 'sts', action: 'AssumeRole', targetAccount: NO_ROLE, kind: 'error', code: 'RegionDisabledException', status: 403 },
      ),
    );
    const member = await clients.assume(MEMBER);
    const e = await errorOf(clients.ct(member).send(new DescribeTrailsCommand({})));
    expect(e.name).toBe('AccessDeniedException');
    expect(e.message).toBe('denied by SCP');
    expect(e.$metadata?.httpStatusCode).toBe(400);
    // The fault is scoped to the member: the caller's own call is unaffected.
    await expect(clients.ct().send(new DescribeTrailsCommand({}))).resolves.toBeDefined();

    const e2 = await errorOf(clients.sts().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${NO_ROLE}:role/${ROLE}`, RoleSessionName: 'x1' })));
    expect(e2.name).toBe('RegionDisabledException');
    expect(e2.$metadata?.httpStatusCode).toBe(403);
    expect(sim.calls.find((c) => c.service === 'cloudtrail')).toMatchObject({ account: MEMBER, outcome: 'fault', fault: 'error', errorCode: 'AccessDeniedException' });
  });

  test('after/times: ListAccounts fails on its third call only', async () => {
    sim.setScenario(withFaults({ service: 'organizations', action: 'ListAccounts', kind: 'error', code: 'ServiceException', status: 500, after: 2, times: 1 }));
    const orgs = clients.orgs();
    await orgs.send(new ListAccountsCommand({}));
    await orgs.send(new ListAccountsCommand({}));
    const e = await errorOf(orgs.send(new ListAccountsCommand({})));
    expect(e.name).toBe('ServiceException');
    expect(e.$metadata?.httpStatusCode).toBe(500);
    await expect(orgs.send(new ListAccountsCommand({}))).resolves.toBeDefined();
    expect(sim.calls.map((c) => c.outcome)).toEqual(['ok', 'ok', 'fault', 'ok']);
    // reset() restarts the counters.
    sim.reset();
    await orgs.send(new ListAccountsCommand({}));
    await orgs.send(new ListAccountsCommand({}));
    expect((await errorOf(orgs.send(new ListAccountsCommand({})))).name).toBe('ServiceException');
  });

  test('throttling faults (times: 2) are retried by the SDK defaults (3 attempts) and then succeed', async () => {
    sim.setScenario(
      withFaults(
        { service: 'cloudtrail', action: 'DescribeTrails', kind: 'error', code: 'ThrottlingException', times: 2 },
        { service: 'sts', action: 'GetCallerIdentity', kind: 'error', code: 'ThrottlingException', times: 2 },
      ),
    );
    // Default retry configuration: no maxAttempts given.
    const ct = new CloudTrailClient({ endpoint: sim.url, region: 'us-east-1', credentials: CALLER });
    const sts = new STSClient({ endpoint: sim.url, region: 'us-east-1', credentials: CALLER });
    try {
      const [trails, me] = await Promise.all([ct.send(new DescribeTrailsCommand({})), sts.send(new GetCallerIdentityCommand({}))]);
      expect(trails.$metadata.attempts).toBe(3);
      expect(me.$metadata.attempts).toBe(3);
      expect(me.Account).toBe(MGMT);
    } finally {
      ct.destroy();
      sts.destroy();
    }
    // Query services answer the query spelling of the code.
    expect(sim.calls.filter((c) => c.service === 'sts').map((c) => c.errorCode)).toEqual(['Throttling', 'Throttling', undefined]);
    expect(sim.calls.filter((c) => c.service === 'cloudtrail').map((c) => c.errorCode)).toEqual(['ThrottlingException', 'ThrottlingException', undefined]);
  });

  test('throttling with maxAttempts 1 surfaces a throttling error', async () => {
    sim.setScenario(withFaults({ service: 'sns', kind: 'error', code: 'Throttling' }, { service: 'organizations', kind: 'error', code: 'TooManyRequestsException', status: 429 }));
    const e = await errorOf(clients.sns().send(new PublishCommand({ TopicArn: TOPIC, Message: 'x' })));
    expect(e.name).toBe('Throttling');
    expect(e.message).toBe('Rate exceeded');
    const e2 = await errorOf(clients.orgs().send(new ListAccountsCommand({})));
    expect(e2.name).toBe('TooManyRequestsException');
    expect(e2.$metadata?.httpStatusCode).toBe(429);
  });

  test('reset destroys the socket', async () => {
    sim.setScenario(withFaults({ service: 'cloudtrail', kind: 'reset', times: 1 }));
    const e = await errorOf(clients.ct().send(new GetTrailStatusCommand({ Name: 'org-mr' })));
    expect(e.code ?? e.message).toMatch(/ECONNRESET|socket hang up/);
    expect(sim.calls[0]).toMatchObject({ outcome: 'fault', fault: 'reset' });
    await expect(clients.ct().send(new GetTrailStatusCommand({ Name: 'org-mr' }))).resolves.toMatchObject({ IsLogging: true });
  });

  test('hang: the client gives up through abortSignal or requestTimeout', async () => {
    sim.setScenario(withFaults({ service: 'cloudtrail', kind: 'hang' }));
    const ac = new AbortController();
    const t = setTimeout(() => ac.abort(), 150);
    const started = Date.now();
    const e = await errorOf(clients.ct().send(new DescribeTrailsCommand({}), { abortSignal: ac.signal }));
    clearTimeout(t);
    expect(e.name).toBe('AbortError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    // The installed node-http-handler only logs a warning on requestTimeout unless throwOnRequestTimeout is set.
    const timed = clients.ct(CALLER, 'us-east-1', { requestHandler: { requestTimeout: 150, throwOnRequestTimeout: true } });
    const e2 = await errorOf(timed.send(new DescribeTrailsCommand({})));
    expect(e2.name).toBe('TimeoutError');
    expect(sim.calls.every((c) => c.fault === 'hang')).toBe(true);
  });

  test('hang: stop() closes hung sockets', async () => {
    const other = await startSimulator(withFaults({ service: 'sts', kind: 'hang' }));
    const sts = new STSClient({ endpoint: other.url, region: 'us-east-1', credentials: CALLER, maxAttempts: 1 });
    try {
      const pending = errorOf(sts.send(new GetCallerIdentityCommand({})));
      await new Promise((r) => setTimeout(r, 50));
      expect(other.calls).toHaveLength(1);
      const started = Date.now();
      await other.stop();
      expect(Date.now() - started).toBeLessThan(1000);
      const e = await pending;
      expect(e.code ?? e.message).toMatch(/ECONNRESET|socket hang up/);
    } finally {
      sts.destroy();
    }
  });

  test('delay waits and then answers normally', async () => {
    sim.setScenario(withFaults({ service: 'sts', action: 'GetCallerIdentity', kind: 'delay', delayMs: 200 }));
    const started = Date.now();
    await expect(clients.sts().send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: MGMT });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(sim.calls[0]).toMatchObject({ outcome: 'ok', fault: 'delay' });
  });

  test('malformed sends the body as is, with status 200 and the service content type', async () => {
    sim.setScenario(
      withFaults(
        { service: 'cloudtrail', action: 'DescribeTrails', kind: 'malformed', body: '{}', times: 1 },
        { service: 'cloudtrail', action: 'DescribeTrails', kind: 'malformed', body: 'this is not json', times: 1 },
        { service: 'sts', kind: 'malformed', body: '<GetCallerIdentityResponse><oops' },
      ),
    );
    const ct = clients.ct();
    const empty = await ct.send(new DescribeTrailsCommand({}));
    expect(empty.trailList).toBeUndefined(); // a missing field, as promised
    await expect(ct.send(new DescribeTrailsCommand({}))).rejects.toThrow();
    await expect(ct.send(new DescribeTrailsCommand({}))).resolves.toMatchObject({ trailList: expect.any(Array) });
    await expect(clients.sts().send(new GetCallerIdentityCommand({}))).rejects.toThrow();
    expect(sim.calls.map((c) => c.fault)).toEqual(['malformed', 'malformed', undefined, 'malformed']);
  });
});

describe('latency', () => {
  test('per-action latency is applied and repeats with the seed', async () => {
    sim.setScenario({ ...baseScenario(), latency: { default: { min: 1, max: 20 }, byAction: { DescribeTrails: 120 }, seed: 7 } });
    const started = Date.now();
    await clients.ct().send(new DescribeTrailsCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    const sts = clients.sts();
    for (let i = 0; i < 5; i++) await sts.send(new GetCallerIdentityCommand({}));
    const first = sim.calls.map((c) => c.latencyMs);
    expect(first[0]).toBe(120);
    for (const l of first.slice(1)) {
      expect(l).toBeGreaterThanOrEqual(1);
      expect(l).toBeLessThanOrEqual(20);
    }
    sim.reset();
    await clients.ct().send(new DescribeTrailsCommand({}));
    for (let i = 0; i < 5; i++) await sts.send(new GetCallerIdentityCommand({}));
    expect(sim.calls.map((c) => c.latencyMs)).toEqual(first);
  });

  test('1000 concurrent keep-alive connections are served in parallel (latency does not block)', async () => {
    sim.setScenario({ ...baseScenario(), latency: { default: 100 } });
    const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const host = new URL(sim.url).host;
    const contentType = 'application/x-www-form-urlencoded';
    const signed = sigV4Headers({ method: 'POST', url: '/', headers: { host, 'content-type': contentType }, body }, CALLER, 'us-east-1', 'sts');
    const one = () =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(
          `${sim.url}/`,
          { method: 'POST', agent, headers: { host, 'content-type': contentType, ...signed } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const started = Date.now();
    try {
      const statuses = await Promise.all(Array.from({ length: 1000 }, one));
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(sim.callCount('sts', 'GetCallerIdentity')).toBe(1000);
      expect(sim.callCounts()).toEqual({ 'sts:GetCallerIdentity': 1000 });
    } finally {
      agent.destroy();
    }
  });
});
