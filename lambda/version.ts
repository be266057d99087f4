/** trailcheck's version, reported in every report and alert. Kept in step with package.json by a test. */
export const VERSION = '0.1.0';
