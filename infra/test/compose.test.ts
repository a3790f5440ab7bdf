import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const hasCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;

describe('containers', () => {
  it.skipIf(!hasCompose)('docker-compose accepts the compose file', () => {
    const out = execFileSync(
      'docker-compose',
      ['-f', 'docker-compose.yml', 'config', '--services'],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '' },
      },
    ).toString();
    expect(out.split('\n').filter(Boolean).sort()).toEqual(
      ['claims', 'gateway', 'minio', 'nats', 'plates', 'postgres', 'profiles', 'scraper'].sort(),
    );
  });

  it('builds every service from the one image definition', () => {
    const compose = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    for (const service of ['gateway', 'profiles', 'plates', 'claims', 'scraper']) {
      expect(compose).toContain(`args: { SERVICE: ${service} }`);
    }
    const dockerfile = readFileSync(join(root, 'infra', 'Dockerfile'), 'utf8');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable in the Dockerfile
    expect(dockerfile).toContain('services/${SERVICE}/src/main.ts');
  });
});
