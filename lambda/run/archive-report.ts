/**
 * Archive: the previous run's report read back (at the start of the steps after the audit, beside
 * the enrich step), and this run's report written once every step that adds to it is done. A
 * failed write does not lose the alert: the step returns the failure, the alert says the report
 * could not be archived, and the run fails after publishing. A missing or unreadable previous
 * report means a first run.
 */
import type { Logger } from '../audit/run-types';
import type { PreviousState, ReportArchive, ReportLocation } from '../aws/archive';
import type { ReportPointer } from '../alerts/document';
import { renderHtml } from '../report/html';
import { ocsfFindings } from '../report/ocsf';
import type { AuditReport } from '../report-format';

export interface Archived {
  /** Where the report is, or why it is not there; absent without an archive. */
  location?: ReportPointer;
  /** The write's failure: the run publishes, leaves the pointer, then fails with `archiveFailure`. */
  failure?: Error;
  /** The object that could not be written (the report, or a form beside it). */
  failedKey?: string;
}

/** The previous run's report, or why there is none (never throws). */
export async function readPreviousReport(archive: ReportArchive | undefined, log: Logger, noArchive: string): Promise<PreviousState> {
  const previous: PreviousState = archive ? await archive.readPrevious() : { ok: false, missing: true, reason: noArchive };
  if (!previous.ok && previous.missing) log.info('no previous report: this run is a first run', { reason: previous.reason });
  else if (!previous.ok) log.warn('previous report unreadable: this run is a first run', { reason: previous.reason });
  return previous;
}

/** A form of the report written beside the JSON: its extension, content type and rendering. */
export interface BesideForm {
  extension: string;
  contentType: string;
  render: (report: AuditReport) => string;
}

/** The forms archived beside every report: OCSF Compliance Findings and the HTML page (docs/report-format.md). */
export const BESIDE_FORMS: BesideForm[] = [
  { extension: 'ocsf.json', contentType: 'application/json', render: (r) => JSON.stringify(ocsfFindings(r)) },
  { extension: 'html', contentType: 'text/html; charset=utf-8', render: (r) => renderHtml(r, { generatedAt: r.run.finishedAt }) },
];

/** This run's report in the archive, and its other forms beside it; a failure is returned, not thrown. */
export async function writeReport(archive: ReportArchive | undefined, report: AuditReport, log: Logger, forms: BesideForm[] = BESIDE_FORMS): Promise<Archived> {
  if (!archive) return {};
  const writes = [
    { key: archive.reportKey(report), put: () => archive.putReport(report) },
    ...forms.map((f) => ({ key: archive.besideKey(report, f.extension), put: () => archive.putBeside(report, f.extension, f.render(report), f.contentType) })),
  ];
  const results = await Promise.allSettled(writes.map((w) => w.put()));
  const failed = results.findIndex((r) => r.status === 'rejected');
  const first = results[0];
  if (failed === -1 && first.status === 'fulfilled') return { location: withHtml(first.value, forms, results) };
  const e = (results[failed] as PromiseRejectedResult).reason as Error;
  const key = writes[failed].key;
  log.error('report not archived', { bucket: archive.bucket, key, error: `${e.name}: ${e.message}` });
  const location: ReportPointer = first.status === 'fulfilled' ? first.value : { unavailable: `s3://${archive.bucket}/${key} could not be written: ${e.name}` };
  return { location, failure: e, failedKey: key };
}

/** The report's location, with where its page is (the email names both). */
function withHtml(location: ReportLocation, forms: BesideForm[], results: Array<PromiseSettledResult<ReportLocation>>): ReportLocation {
  const i = forms.findIndex((f) => f.extension === 'html');
  const page = i === -1 ? undefined : results[i + 1];
  if (page?.status !== 'fulfilled') return location;
  return { ...location, html: { uri: page.value.uri, ...(page.value.consoleUrl ? { consoleUrl: page.value.consoleUrl } : {}) } };
}

/** The error a run ends with when its report could not be archived (after the alert went out). */
export function archiveFailure(archive: ReportArchive, report: AuditReport, failure: Error, published: boolean, key = archive.reportKey(report)): Error {
  return new Error(
    `The report of run ${report.run.id} could not be archived to s3://${archive.bucket}/${key} (${failure.name}: ${failure.message}); the alert was ${published ? 'published' : 'not needed'}, and the next run compares against the last archived report.`,
  );
}
