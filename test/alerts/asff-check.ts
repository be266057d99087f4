/**
 * An ASFF finding checked against what Security Hub documents, written from the documentation
 * rather than from lambda/channels/security-hub.ts's constants: the required top-level attributes
 * (asff-required-attributes), and the length limits of the API Reference (AwsSecurityFinding,
 * Recommendation, ProductFields, Resources). Lengths in UTF-16 units, the stricter count.
 */
const REQUIRED = ['AwsAccountId', 'CreatedAt', 'Description', 'GeneratorId', 'Id', 'ProductArn', 'Resources', 'SchemaVersion', 'Severity', 'Title', 'Types', 'UpdatedAt'];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
// C0, DEL, C1, line/paragraph separators and bidirectional controls; LF allowed in Recommendation.Text only.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

export function asffProblems(f: Record<string, any>): string[] {
  const p: string[] = [];
  for (const k of REQUIRED) if (f[k] === undefined || f[k] === '' || (Array.isArray(f[k]) && f[k].length === 0)) p.push(`missing ${k}`);
  if (f.SchemaVersion !== '2018-10-08') p.push('SchemaVersion');
  if (!/^\d{12}$/.test(f.AwsAccountId)) p.push('AwsAccountId');
  const arn = /^arn:aws(-cn|-us-gov)?:securityhub:[a-z0-9-]+:(\d{12}):product\/(\d{12})\/default$/.exec(f.ProductArn ?? '');
  if (!arn || arn[2] !== f.AwsAccountId || arn[3] !== f.AwsAccountId) p.push(`ProductArn ${f.ProductArn}`);
  const limits: Array<[string, unknown, number]> = [
    ['Id', f.Id, 512],
    ['GeneratorId', f.GeneratorId, 512],
    ['ProductArn', f.ProductArn, 2048],
    ['Title', f.Title, 256],
    ['Description', f.Description, 1024],
    ['Remediation.Recommendation.Text', f.Remediation?.Recommendation?.Text, 512],
  ];
  for (const [name, v, max] of limits) {
    if (typeof v !== 'string' || v.length < 1 || v.length > max) p.push(`${name} length ${typeof v === 'string' ? v.length : typeof v} (max ${max})`);
    if (typeof v === 'string' && CONTROL.test(v)) p.push(`${name} has a control character`);
    if (typeof v === 'string' && /[\ud800-\udbff]$/.test(v)) p.push(`${name} ends inside a surrogate pair`);
  }
  if (/\n/.test(f.Title) || /\n/.test(f.Description)) p.push('line break in Title/Description');
  for (const k of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt']) if (f[k] !== undefined && !ISO.test(f[k])) p.push(`${k} ${f[k]}`);
  if (!Array.isArray(f.Types) || f.Types.length > 50 || f.Types.some((t: string) => t.split('/').length > 3)) p.push('Types');
  const fields = Object.entries<string>(f.ProductFields ?? {});
  if (fields.length > 50) p.push(`ProductFields ${fields.length} pairs`);
  for (const [k, v] of fields) {
    if (k.length > 128 || v.length > 2048 || typeof v !== 'string') p.push(`ProductFields ${k.slice(0, 40)}`);
    if (k.startsWith('aws/')) p.push(`ProductFields ${k}: aws/ is Security Hub's`);
    if (CONTROL.test(k) || CONTROL.test(v)) p.push(`ProductFields ${k.slice(0, 40)} has a control character`);
  }
  if (!Array.isArray(f.Resources) || f.Resources.length > 32) p.push('Resources');
  for (const r of f.Resources ?? []) if (!r.Type || !r.Id || !['aws', 'aws-cn', 'aws-us-gov'].includes(r.Partition)) p.push(`Resource ${JSON.stringify(r)}`);
  if (!['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].includes(f.Severity?.Label)) p.push('Severity.Label');
  if (!['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE'].includes(f.Compliance?.Status)) p.push('Compliance.Status');
  if (!['ACTIVE', 'ARCHIVED'].includes(f.RecordState)) p.push('RecordState');
  if ('Workflow' in f || 'WorkflowState' in f || 'Note' in f || 'UserDefinedFields' in f || 'VerificationState' in f) p.push('sets a field that is the team’s');
  return p;
}
