import { fork } from 'node:child_process';
import * as path from 'node:path';
import { DescribeTrailsCommand, CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { AwsClients } from '../lambda/aws/clients';
import { GENERATED } from '../simulator/generate';
import * as http from 'node:http';
async function main() {
  const sim = fork(path.join(__dirname, 'bench-simulator.ts'));
  const url: string = await new Promise((r) => { sim.once('message', (m: any) => r(m.url)); sim.send({ type: 'start', accounts: 50, profile: 'org-trail', latencyScale: 0, seed: 1 }); });
  const clients = new AwsClients({ maxAttempts: 3, callTimeoutMs: 5000, maxSockets: 64, endpoint: url, credentials: { accessKeyId: GENERATED.caller.accessKeyId, secretAccessKey: GENERATED.caller.secretAccessKey } });
  console.log("sim", url);
  const sts = clients.stsClient('us-east-1');
  const a = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::100000000001:role/TrailcheckAuditRole', RoleSessionName: 'xx' }));
  const creds = { accessKeyId: a.Credentials!.AccessKeyId!, secretAccessKey: a.Credentials!.SecretAccessKey!, sessionToken: a.Credentials!.SessionToken! };
  console.log("assumed");
  const plain = new CloudTrailClient({ region: 'us-east-1', endpoint: url, credentials: creds, maxAttempts: 3, requestHandler: (clients as any).handler });
  const measure = async (name: string, fn: () => Promise<unknown>, n = 3000) => {
    for (let i = 0; i < 200; i++) await fn();
    const c0 = process.cpuUsage(); const t0 = performance.now();
    let next = 0; await Promise.all(Array.from({ length: 16 }, async () => { while (next++ < n) await fn(); }));
    const c = process.cpuUsage(c0);
    console.log(name, ((c.user + c.system) / 1000 / n).toFixed(3), 'ms CPU/call', ((performance.now() - t0) / n).toFixed(3), 'ms wall/call');
  };
  await measure('plain client DescribeTrails', () => plain.send(new DescribeTrailsCommand({ includeShadowTrails: true })));
  const api = clients.cloudTrail('us-east-1', creds);
  await measure('shared+ALS DescribeTrails', () => api.send(new DescribeTrailsCommand({ includeShadowTrails: true })));
  await measure('new client per call', () => new CloudTrailClient({ region: 'us-east-1', endpoint: url, credentials: creds, maxAttempts: 3, requestHandler: (clients as any).handler }).send(new DescribeTrailsCommand({ includeShadowTrails: true })), 1000);
  await measure('AssumeRole', () => sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::100000000001:role/TrailcheckAuditRole', RoleSessionName: 'xx' })));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const u = new URL(url);
  await measure('raw http POST', () => new Promise<void>((res, rej) => { const r = http.request({ agent, host: u.hostname, port: u.port, method: 'POST', path: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CloudTrail_20131101.DescribeTrails', authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/20260101/us-east-1/cloudtrail/aws4_request`, 'x-amz-security-token': creds.sessionToken } }, (resp) => { resp.resume(); resp.on('end', () => res()); }); r.on('error', rej); r.end('{}'); }));
  clients.close(); sim.send({ type: 'stop' });
}
main();
