/** lambda/version.ts is kept in step with package.json. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../../lambda/version';

test("VERSION equals package.json's version", () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  expect(VERSION).toBe(pkg.version);
});

test('VERSION is a semantic version', () => {
  expect(VERSION).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
});
