import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const dockerfile = readFileSync(join(root, 'infra', 'Dockerfile'), 'utf8');
const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');

/** Every workspace's package.json, as the root package.json's globs name them. */
function workspaceManifests(): string[] {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  return workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [`${pattern}/package.json`];
    const dir = pattern.slice(0, -2);
    return readdirSync(join(root, dir), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${dir}/${entry.name}/package.json`);
  });
}

describe('the image definition', () => {
  it('copies every workspace manifest before npm ci, so the install matches the lock file', () => {
    const deps = dockerfile.slice(0, dockerfile.indexOf('RUN npm ci'));
    for (const manifest of workspaceManifests()) {
      expect(deps, manifest).toMatch(new RegExp(`COPY ${manifest.replaceAll('.', '\\.')} `));
    }
  });

  it('builds the chosen service into a bundle and runs that bundle as a non-root user', () => {
    expect(dockerfile).toMatch(/RUN npm run typecheck && node scripts\/build\.mjs \$\{SERVICE\}/);
    expect(dockerfile).toMatch(/^USER node$/m);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell variables of the Dockerfile
    expect(dockerfile).toContain('exec node services/${SERVICE}/dist/main.mjs');
  });

  it('keeps secrets and local installs out of the build context', () => {
    for (const entry of ['.env', '.dev', '**/node_modules', '.git']) {
      expect(ignored, entry).toContain(entry);
    }
  });
});
