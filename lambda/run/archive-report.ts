/**
 * Archive: the previous run's report read back (at the start of the steps after the audit, beside
 * the enrich step), and this run's report written once every step that adds to it is done. A
 * failed write does not lose the alert: the step returns the failure, the alert says the report
 * could not be archived, and the run fails after publishing. A missing or unreadable previous
 * report means a first run.
 */
import type { Logger } from '../audit/run-types';
import type { PreviousState, ReportArchive } from '../aws/archive';
import type { ReportPointer } from '../alerts/document';
import type { AuditReport } from '../report-format';

export interface Archived {
  /** Where the report is, or why it is not there; absent without an archive. */
  location?: ReportPointer;
  /** The write's failure: the run publishes, leaves the pointer, then fails with `archiveFailure`. */
  failure?: Error;
}

/** The previous run's report, or why there is none (never throws). */
export async function readPreviousReport(archive: ReportArchive | undefined, log: Logger, noArchive: string): Promise<PreviousState> {
  const previous: PreviousState = archive ? await archive.readPrevious() : { ok: false, missing: true, reason: noArchive };
  if (!previous.ok && previous.missing) log.info('no previous report: this run is a first run', { reason: previous.reason });
  else if (!previous.ok) log.warn('previous report unreadable: this run is a first run', { reason: previous.reason });
  return previous;
}

/** This run's report in the archive; a failure is returned, not thrown. */
export async function writeReport(archive: ReportArchive | undefined, report: AuditReport, log: Logger): Promise<Archived> {
  if (!archive) return {};
  const key = archive.reportKey(report);
  try {
    return { location: await archive.putReport(report) };
  } catch (err) {
    const e = err as Error;
    log.error('report not archived', { bucket: archive.bucket, key, error: `${e.name}: ${e.message}` });
    return { location: { unavailable: `s3://${archive.bucket}/${key} could not be written: ${e.name}` }, failure: e };
  }
}

/** The error a run ends with when its report could not be archived (after the alert went out). */
export function archiveFailure(archive: ReportArchive, report: AuditReport, failure: Error, published: boolean): Error {
  return new Error(
    `The report of run ${report.run.id} could not be archived to s3://${archive.bucket}/${archive.reportKey(report)} (${failure.name}: ${failure.message}); the alert was ${published ? 'published' : 'not needed'}, and the next run compares against the last archived report.`,
  );
}
