/**
 * The report archive in S3: every run's full JSON report, and `latest.json`, a pointer to the
 * report the next run compares against (the alert state). Layout under the prefix:
 *
 *   <prefix>reports/YYYY/MM/DD/<run id>.json   one per run (expired by the bucket's lifecycle rule)
 *   <prefix>reports/YYYY/MM/DD/<run id>.<kind>  the same run in other forms beside it (ocsf.json, …)
 *   <prefix>latest.json                        {"reportKey", "runId", "lastReminderAt", ...}
 *
 * Reading the previous state never throws: a missing, unreadable or malformed pointer or report
 * means "first run", with the reason.
 */
import type { AuditReport } from '../report-format';
import { type BucketClient, objectsOf, type S3Objects } from './s3-objects';

export interface ReportLocation {
  bucket: string;
  key: string;
  /** `s3://bucket/key`. */
  uri: string;
  /** The object in the S3 console, when the partition has a known console. */
  consoleUrl?: string;
  /** The same run as a page a person can open (`<run id>.html` beside it), when archived. */
  html?: { uri: string; consoleUrl?: string };
}

export interface LatestPointer {
  type: 'trailcheck.latest';
  schemaVersion: 1;
  runId: string;
  reportKey: string;
  finishedAt: string;
  /** When the last reminder (or first-run message) listed every failing account. */
  lastReminderAt?: string;
}

export type PreviousState =
  | { ok: true; report: AuditReport; pointer: LatestPointer }
  | { ok: false; /** Why there is no previous report, in words. */ reason: string; /** Nothing was there (a real first run), as opposed to a failed read. */ missing: boolean };

const STATUSES = new Set(['PASS', 'FAIL', 'ERROR', 'SKIPPED']);

export class ReportArchive {
  private readonly s3: S3Objects;

  constructor(
    s3: BucketClient,
    readonly bucket: string,
    readonly prefix: string,
    /** Region and partition of the bucket, for the console link. */
    private readonly where: { region: string; partition: string },
  ) {
    this.s3 = objectsOf(s3);
  }

  get latestKey(): string {
    return `${this.prefix}latest.json`;
  }

  reportKey(report: AuditReport): string {
    const day = report.run.startedAt.slice(0, 10).replace(/-/g, '/');
    return `${this.prefix}reports/${day}/${report.run.id}.json`;
  }

  location(key: string): ReportLocation {
    const console = CONSOLES[this.where.partition];
    return {
      bucket: this.bucket,
      key,
      uri: `s3://${this.bucket}/${key}`,
      ...(console ? { consoleUrl: `${console}/s3/object/${this.bucket}?region=${this.where.region}&prefix=${encodeURIComponent(key)}` } : {}),
    };
  }

  async putReport(report: AuditReport): Promise<ReportLocation> {
    const key = this.reportKey(report);
    await this.s3.put(this.bucket, key, JSON.stringify(report), { contentType: 'application/json' });
    return this.location(key);
  }

  /** The key of the run's report in another form, beside the JSON (`ocsf.json`, `html`). */
  besideKey(report: AuditReport, extension: string): string {
    return this.reportKey(report).replace(/\.json$/, `.${extension}`);
  }

  /** The run's report in another form, beside the JSON. */
  async putBeside(report: AuditReport, extension: string, body: string, contentType: string): Promise<ReportLocation> {
    const key = this.besideKey(report, extension);
    await this.s3.put(this.bucket, key, body, { contentType });
    return this.location(key);
  }

  async writeLatest(pointer: Omit<LatestPointer, 'type' | 'schemaVersion'>): Promise<void> {
    const body: LatestPointer = { type: 'trailcheck.latest', schemaVersion: 1, ...pointer };
    await this.s3.put(this.bucket, this.latestKey, JSON.stringify(body), { contentType: 'application/json' });
  }

  async readPrevious(): Promise<PreviousState> {
    const pointerText = await this.read(this.latestKey);
    if (!pointerText.ok) return pointerText;
    const pointer = parsePointer(pointerText.text);
    if (typeof pointer === 'string') return { ok: false, missing: false, reason: `s3://${this.bucket}/${this.latestKey} ${pointer}` };
    const reportText = await this.read(pointer.reportKey);
    if (!reportText.ok) return reportText;
    const report = parseReport(reportText.text);
    if (typeof report === 'string') return { ok: false, missing: false, reason: `s3://${this.bucket}/${pointer.reportKey} ${report}` };
    return { ok: true, report, pointer };
  }

  private async read(key: string): Promise<{ ok: true; text: string } | { ok: false; reason: string; missing: boolean }> {
    try {
      return { ok: true, text: (await this.s3.get(this.bucket, key)).body };
    } catch (err) {
      const e = err as Error;
      if (e.name === 'NoSuchKey') return { ok: false, missing: true, reason: `no previous report (s3://${this.bucket}/${key} does not exist)` };
      if (e.name === 'AccessDenied' && key === this.latestKey) {
        // Without s3:ListBucket (not granted: the code never lists), S3 answers a missing object with AccessDenied.
        return { ok: false, missing: false, reason: `s3://${this.bucket}/${key} could not be read: AccessDenied (what S3 answers for a missing object to a reader that may not list the bucket, as on a first run)` };
      }
      return { ok: false, missing: false, reason: `s3://${this.bucket}/${key} could not be read: ${e.name}: ${e.message}` };
    }
  }
}

const CONSOLES: Record<string, string> = {
  aws: 'https://console.aws.amazon.com',
  'aws-us-gov': 'https://console.amazonaws-us-gov.com',
  'aws-cn': 'https://console.amazonaws.cn',
};

/** The pointer, or why it is unusable. */
export function parsePointer(text: string): LatestPointer | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'is not valid JSON';
  }
  const p = v as Partial<LatestPointer> | null;
  if (!p || typeof p !== 'object' || p.type !== 'trailcheck.latest' || p.schemaVersion !== 1) return 'is not a trailcheck latest-report pointer (schemaVersion 1)';
  if (typeof p.reportKey !== 'string' || p.reportKey === '' || typeof p.runId !== 'string') return 'has no reportKey/runId';
  if (p.lastReminderAt !== undefined && (typeof p.lastReminderAt !== 'string' || !Number.isFinite(Date.parse(p.lastReminderAt)))) return 'has an invalid lastReminderAt';
  return p as LatestPointer;
}

/** The report, or why it cannot serve as the previous state (only what the comparison reads is checked). */
export function parseReport(text: string): AuditReport | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'is not valid JSON';
  }
  const r = v as Partial<AuditReport> | null;
  if (!r || typeof r !== 'object' || r.schemaVersion !== 1) return 'is not a trailcheck report of schemaVersion 1';
  if (!r.run || typeof r.run.id !== 'string' || !Array.isArray(r.run.errors) || !Array.isArray(r.accounts)) return 'is missing run.id, run.errors or accounts';
  const bad = r.accounts.findIndex((a) => !a || typeof a.accountId !== 'string' || !STATUSES.has(a.status as string));
  if (bad >= 0) return `has an invalid account at accounts[${bad}]`;
  return r as AuditReport;
}
