// `npm run build`: bundles each service into services/<name>/dist so that production runs
// plain JavaScript under node, without tsx's loader in memory or its start-up cost.
//
// Our workspace libraries (@reggie/*) are bundled in; every third-party package stays
// external and is loaded from node_modules, as it would be from source.
//
// Each service produces two files, main.mjs and tracing.mjs. main.ts imports ./tracing.ts
// first so that OpenTelemetry patches pg and http before they load. A single bundle would
// break that: its external imports are hoisted and evaluated before any bundled code. With
// tracing as a module of its own, main.mjs imports it before any package, so it runs first.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const servicesDir = join(root, 'services');

const only = process.argv.slice(2);
const services = readdirSync(servicesDir).filter(
  (name) =>
    existsSync(join(servicesDir, name, 'src', 'main.ts')) &&
    (only.length === 0 || only.includes(name)),
);
if (only.length > 0 && services.length !== only.length) {
  console.error(`unknown service in: ${only.join(', ')}; known: ${readdirSync(servicesDir)}`);
  process.exit(1);
}

const started = Date.now();
await Promise.all(services.map(bundleService));
console.log(`built ${services.length} services in ${Date.now() - started} ms`);

async function bundleService(name) {
  const dir = join(servicesDir, name);
  const outdir = join(dir, 'dist');
  rmSync(outdir, { recursive: true, force: true });

  const result = await build({
    absWorkingDir: root,
    entryPoints: { main: join(dir, 'src', 'main.ts'), tracing: join(dir, 'src', 'tracing.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    // MikroORM and our error classes read constructor names; bundling may rename them.
    keepNames: true,
    logLevel: 'warning',
    metafile: true,
    plugins: [externals(join(dir, 'src', 'main.ts'), outdir), sourceLocation(outdir)],
  });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  console.log(`${name}: dist/main.mjs, dist/tracing.mjs (${(bytes / 1024).toFixed(0)} KiB)`);
}

/**
 * Third-party packages stay in node_modules; @reggie/* and relative imports are bundled,
 * except main.ts's import of ./tracing.ts, which points at the separate tracing bundle.
 *
 * npm nests a package under a workspace (libs/bus/node_modules) when the root holds
 * another version. Node would not find that copy from dist/, so such an import is
 * rewritten to a relative path to the exact file the library would have loaded.
 */
function externals(mainFile, outdir) {
  return {
    name: 'reggie-externals',
    setup(b) {
      b.onResolve({ filter: /^\.\/tracing\.ts$/ }, (args) =>
        args.importer === mainFile ? { path: './tracing.mjs', external: true } : undefined,
      );
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.kind === 'entry-point' || args.path.startsWith('@reggie/')) return undefined;
        if (args.path.startsWith('node:') || args.pluginData === 'nested') {
          return args.pluginData === 'nested' ? undefined : { path: args.path, external: true };
        }
        const name = packageName(args.path);
        const fromSource = packageDir(args.resolveDir, name);
        if (fromSource === packageDir(outdir, name)) return { path: args.path, external: true };

        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          pluginData: 'nested',
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        return { path: toImportPath(relative(outdir, resolved.path)), external: true };
      });
    },
  };
}

/**
 * A bundled library that calls createRequire(import.meta.url) resolves packages from its
 * own folder, as from source, rather than from dist/ where the bundle runs.
 */
function sourceLocation(outdir) {
  return {
    name: 'reggie-source-location',
    setup(b) {
      b.onLoad({ filter: /[\\/]libs[\\/].*\.ts$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const own = `new URL(${JSON.stringify(toImportPath(relative(outdir, args.path)))}, import.meta.url).href`;
        return { contents: source.replaceAll('import.meta.url', own), loader: 'ts' };
      });
    },
  };
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The folder Node would load a package from, searching node_modules upwards from `dir`. */
function packageDir(dir, name) {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'node_modules', name);
    if (existsSync(candidate)) return candidate;
    if (dirname(at) === at) return null;
  }
}

function toImportPath(path) {
  const posix = path.split(sep).join('/');
  return posix.startsWith('.') ? posix : `./${posix}`;
}
