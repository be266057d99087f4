/**
 * Does a trail's event selector configuration record all management events, read and write,
 * in one selector? (RULE.md, condition 3.) Pure: selectors in, coverage out.
 */
import type { AdvancedSelector, ClassicSelector, FieldSelector, ManagementCoverage, SelectorConfig } from './types';

export interface CoverageResult {
  coverage: ManagementCoverage;
  /**
   * For coverage ALL: the management event sources the qualifying selector leaves out
   * (classic `ExcludeManagementEventSources`, advanced `eventSource` constraints). Empty when none.
   */
  excludedSources: string[];
  /** For FILTERED: the readOnly constraint found, as written, for the message. */
  filterDetail?: string;
}

const OPERATORS = ['Equals', 'StartsWith', 'EndsWith', 'NotEquals', 'NotStartsWith', 'NotEndsWith'] as const;

export function managementCoverage(config: SelectorConfig): CoverageResult {
  return config.kind === 'classic' ? classicCoverage(config.selectors) : advancedCoverage(config.selectors);
}

/** What one selector records of management events. */
type SelectorScope =
  | { kind: 'ALL'; excludedSources: string[] }
  | { kind: 'READ' | 'WRITE' | 'NONE' }
  | { kind: 'FILTERED'; detail: string };

function classicCoverage(selectors: ClassicSelector[]): CoverageResult {
  return combine(selectors.map(classicScope));
}

function classicScope(selector: ClassicSelector): SelectorScope {
  // API defaults when a field is absent: IncludeManagementEvents true, ReadWriteType All.
  if (selector.IncludeManagementEvents === false) return { kind: 'NONE' };
  const readWrite = selector.ReadWriteType ?? 'All';
  if (readWrite === 'All') return { kind: 'ALL', excludedSources: [...(selector.ExcludeManagementEventSources ?? [])] };
  if (readWrite === 'ReadOnly') return { kind: 'READ' };
  if (readWrite === 'WriteOnly') return { kind: 'WRITE' };
  return { kind: 'FILTERED', detail: `ReadWriteType ${JSON.stringify(readWrite)}` };
}

function advancedCoverage(selectors: AdvancedSelector[]): CoverageResult {
  return combine(selectors.map(advancedScope));
}

function advancedScope(selector: AdvancedSelector): SelectorScope {
  const fields = selector.FieldSelectors ?? [];
  const isManagement = fields.some((f) => f.Field === 'eventCategory' && (f.Equals ?? []).includes('Management'));
  if (!isManagement) return { kind: 'NONE' };

  const readOnly = fields.filter((f) => f.Field === 'readOnly');
  if (readOnly.length === 0) {
    return { kind: 'ALL', excludedSources: fields.filter((f) => f.Field === 'eventSource').flatMap(describeSourceConstraint) };
  }
  // Any readOnly field selector disqualifies the selector (CIS: it must not appear at all). Read
  // the common single-value forms so the reason can say which half is missing.
  if (readOnly.length === 1) {
    const side = readOnlySide(readOnly[0]);
    if (side) return { kind: side };
  }
  return { kind: 'FILTERED', detail: readOnly.map(describeConstraint).join(' and ') };
}

/** `readOnly Equals ["true"]` records reads only, and so on; anything else is not a clean half. */
function readOnlySide(f: FieldSelector): 'READ' | 'WRITE' | undefined {
  const used = OPERATORS.filter((op) => f[op] !== undefined);
  if (used.length !== 1) return undefined;
  const op = used[0];
  const values = f[op] ?? [];
  if (values.length !== 1) return undefined;
  const value = values[0].toLowerCase();
  if (op === 'Equals') return value === 'true' ? 'READ' : value === 'false' ? 'WRITE' : undefined;
  if (op === 'NotEquals') return value === 'true' ? 'WRITE' : value === 'false' ? 'READ' : undefined;
  return undefined;
}

function describeConstraint(f: FieldSelector): string {
  const parts = OPERATORS.filter((op) => f[op] !== undefined).map((op) => `${op} ${JSON.stringify(f[op])}`);
  return `${f.Field ?? '?'} ${parts.join(', ') || '(no operator)'}`;
}

/** `eventSource NotEquals [a, b]` leaves out a and b; any other operator narrows the sources. */
function describeSourceConstraint(f: FieldSelector): string[] {
  const used = OPERATORS.filter((op) => f[op] !== undefined);
  if (used.length === 1 && used[0] === 'NotEquals') return [...(f.NotEquals ?? [])];
  return [`all but ${describeConstraint(f)}`];
}

/**
 * One selector must cover both reads and writes. When several selectors each cover one half,
 * coverage is SPLIT: it fails, with its own reason (RULE.md).
 */
function combine(scopes: SelectorScope[]): CoverageResult {
  const full = scopes.filter((s): s is Extract<SelectorScope, { kind: 'ALL' }> => s.kind === 'ALL');
  if (full.length > 0) {
    // Several qualifying selectors: the one leaving out the fewest sources decides.
    const best = full.reduce((a, b) => (b.excludedSources.length < a.excludedSources.length ? b : a));
    return { coverage: 'ALL', excludedSources: best.excludedSources };
  }
  const reads = scopes.some((s) => s.kind === 'READ');
  const writes = scopes.some((s) => s.kind === 'WRITE');
  if (reads && writes) return { coverage: 'SPLIT', excludedSources: [] };
  const filtered = scopes.find((s): s is Extract<SelectorScope, { kind: 'FILTERED' }> => s.kind === 'FILTERED');
  if (filtered) return { coverage: 'FILTERED', excludedSources: [], filterDetail: filtered.detail };
  if (reads) return { coverage: 'READ_ONLY', excludedSources: [] };
  if (writes) return { coverage: 'WRITE_ONLY', excludedSources: [] };
  return { coverage: 'NONE', excludedSources: [] };
}
