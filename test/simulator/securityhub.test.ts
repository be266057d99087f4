import { parseScenario } from '../../simulator/scenario';
import { findingProblem } from '../../simulator/services/securityhub';
import { baseScenario, MEMBER } from './helpers';

const ctx = { identity: { accountId: MEMBER, accessKeyId: 'ASIA', arn: '', userId: '', kind: 'assumed-role' as const }, region: 'us-east-1' };
const good = () => ({
  SchemaVersion: '2018-10-08',
  Id: 'x',
  ProductArn: `arn:aws:securityhub:us-east-1:${MEMBER}:product/${MEMBER}/default`,
  GeneratorId: 'g',
  AwsAccountId: MEMBER,
  Types: ['Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark'],
  CreatedAt: '2026-01-01T00:00:00.000Z',
  UpdatedAt: '2026-01-01T00:00:00.000Z',
  Severity: { Label: 'HIGH' },
  Title: 't',
  Description: 'd',
  Resources: [{ Type: 'AwsAccount', Id: `AWS::::Account:${MEMBER}` }],
});

describe('simulated BatchImportFindings validation', () => {
  it('accepts a complete finding from its own account', () => expect(findingProblem(good(), ctx)).toBeUndefined());
  it.each(['AwsAccountId', 'CreatedAt', 'Description', 'GeneratorId', 'Id', 'ProductArn', 'Resources', 'SchemaVersion', 'Severity', 'Title', 'Types', 'UpdatedAt'])('refuses a finding without %s', (k) => {
    const f: Record<string, unknown> = good();
    delete f[k];
    expect(findingProblem(f, ctx)?.code).toBe('InvalidInput');
  });
  it('refuses another account’s finding, another account’s product, another region’s product, and over-long text', () => {
    expect(findingProblem({ ...good(), AwsAccountId: '999999999999' }, ctx)?.code).toBe('AccessDeniedException');
    expect(findingProblem({ ...good(), ProductArn: 'arn:aws:securityhub:us-east-1:999999999999:product/999999999999/default' }, ctx)?.code).toBe('AccessDeniedException');
    expect(findingProblem({ ...good(), ProductArn: `arn:aws:securityhub:eu-west-1:${MEMBER}:product/${MEMBER}/default` }, ctx)?.code).toBe('InvalidInput');
    expect(findingProblem({ ...good(), Title: 'x'.repeat(257) }, ctx)?.code).toBe('InvalidInput');
    expect(findingProblem({ ...good(), Remediation: { Recommendation: { Text: 'x'.repeat(513) } } }, ctx)?.code).toBe('InvalidInput');
  });
  it('the scenario knob is validated', () => {
    expect(() => parseScenario({ ...baseScenario(), securityHub: { notEnabled: ['123'] } }, 's')).toThrow(/securityHub.notEnabled\[0\]/);
    expect(() => parseScenario({ ...baseScenario(), securityHub: { disabled: [] } }, 's')).toThrow(/securityHub.disabled: unknown field/);
    expect(() => parseScenario({ ...baseScenario(), securityHub: { notEnabled: [MEMBER] } }, 's')).not.toThrow();
  });
});
