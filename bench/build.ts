import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { FUNCTION_BUNDLING } from '../infra/functionBundling.js';

/** How the stack bundles the function (infra/functionBundling.ts), with the AWS SDK bundled or external. */
export function productionOptions(sdk: 'bundled' | 'external'): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: FUNCTION_BUNDLING.format,
    target: FUNCTION_BUNDLING.target,
    mainFields: [...FUNCTION_BUNDLING.mainFields],
    minify: FUNCTION_BUNDLING.minify,
    sourcemap: FUNCTION_BUNDLING.sourceMap,
    sourcesContent: FUNCTION_BUNDLING.sourcesContent,
    keepNames: FUNCTION_BUNDLING.keepNames,
    outExtension: { '.js': '.mjs' },
    external: sdk === 'external' ? ['@aws-sdk/*'] : [],
    metafile: true,
    logLevel: 'silent',
  };
}

/** Redirects `zod/mini` to zod classic: the variant that decides whether mini pays. */
const zodClassic: Plugin = {
  name: 'zod-classic',
  setup(builder) {
    builder.onResolve({ filter: /^zod\/mini$/ }, (args) => builder.resolve('zod', { kind: args.kind, resolveDir: args.resolveDir }));
  },
};

export interface Contributor {
  name: string;
  bytes: number;
}

export interface BundleSize {
  file: string;
  bytes: number;
  mapBytes: number;
  contributors: Contributor[];
}

/** Output size of the one entry and its inputs grouped by package (or by first-party directory). */
export function analyse(metafile: Metafile, top = 8): Omit<BundleSize, 'file'> {
  const entries = Object.entries(metafile.outputs);
  const [, output] = entries.find(([path, out]) => out.entryPoint && !path.endsWith('.map')) ?? [];
  if (!output) throw new Error('metafile has no entry output');
  const mapBytes = entries.filter(([path]) => path.endsWith('.map')).reduce((sum, [, out]) => sum + out.bytes, 0);
  const groups = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const name = groupOf(path);
    groups.set(name, (groups.get(name) ?? 0) + input.bytesInOutput);
  }
  const contributors = [...groups]
    .map(([name, bytes]) => ({ name, bytes }))
    .filter((c) => c.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
  return { bytes: output.bytes, mapBytes, contributors };
}

function groupOf(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  if (at >= 0) {
    const parts = path.slice(at + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? path);
  }
  const parts = path.split('/');
  return parts.length > 2 ? `${parts.slice(0, -1).join('/')}/` : path;
}

export interface Builds {
  /** Production bundles of the function, SDK bundled / external. */
  handler: { bundled: string; external: string; zodClassic: string };
  /** The SDK-only baseline (two clients + the three raw calls), built the same way. */
  baseline: { bundled: string; external: string };
  worker: string;
  coldProbe: string;
  sizes: {
    handlerExternal: BundleSize;
    handlerBundled: BundleSize;
    baselineBundled: BundleSize;
    zodClassicExternal: BundleSize;
    zodClassicBundled: BundleSize;
    ourLogger: BundleSize;
    /** undefined when Powertools is not installed in `powertoolsDir` */
    powertoolsLogger?: BundleSize;
  };
}

/**
 * Builds everything the benchmark runs into `outDir` (which must lie inside the repository so the
 * SDK-external bundles resolve `@aws-sdk/*` from its node_modules).
 */
export async function buildAll(repo: string, outDir: string, powertoolsDir: string): Promise<Builds> {
  const entry = join(repo, 'functions/register/handler.ts');
  const baselineEntry = join(repo, 'bench/baseline.ts');
  const one = async (name: string, entryPoint: string, options: BuildOptions): Promise<BundleSize> => {
    const result = await build({ ...options, absWorkingDir: repo, entryPoints: { [name]: entryPoint }, outdir: outDir });
    return { file: join(outDir, `${name}.mjs`), ...analyse(result.metafile as Metafile) };
  };
  const [
    handlerBundled,
    handlerExternal,
    baselineBundled,
    baselineExternal,
    zodClassicBundled,
    zodClassicExternal,
    worker,
    coldProbe,
    ourLogger,
  ] = await Promise.all([
    one('handler-bundled', entry, productionOptions('bundled')),
    one('handler-external', entry, productionOptions('external')),
    one('baseline-bundled', baselineEntry, productionOptions('bundled')),
    one('baseline-external', baselineEntry, productionOptions('external')),
    one('handler-zod-classic', entry, { ...productionOptions('bundled'), plugins: [zodClassic] }),
    one('handler-zod-classic-external', entry, { ...productionOptions('external'), plugins: [zodClassic] }),
    one('worker', join(repo, 'bench/worker.ts'), { ...productionOptions('bundled'), sourcemap: false }),
    one('coldProbe', join(repo, 'bench/coldProbe.ts'), { ...productionOptions('bundled'), sourcemap: false }),
    loggerSize(repo, outDir, 'our-logger', `import { Logger } from ${JSON.stringify(join(repo, 'functions/core/logger.ts'))};`, repo),
  ]);
  const powertoolsLogger = existsSync(join(powertoolsDir, 'node_modules/@aws-lambda-powertools/logger'))
    ? await loggerSize(repo, outDir, 'powertools-logger', "import { Logger } from '@aws-lambda-powertools/logger';", powertoolsDir)
    : undefined;
  return {
    handler: { bundled: handlerBundled.file, external: handlerExternal.file, zodClassic: zodClassicBundled.file },
    baseline: { bundled: baselineBundled.file, external: baselineExternal.file },
    worker: worker.file,
    coldProbe: coldProbe.file,
    sizes: { handlerExternal, handlerBundled, baselineBundled, zodClassicExternal, zodClassicBundled, ourLogger, powertoolsLogger },
  };
}

/** A logger alone, minified the production way, used once: what choosing it adds to the bundle. */
async function loggerSize(repo: string, outDir: string, name: string, importLine: string, resolveDir: string): Promise<BundleSize> {
  const result = await build({
    ...productionOptions('external'),
    sourcemap: false,
    absWorkingDir: repo,
    stdin: {
      contents: `${importLine}\nexport const logger = new Logger();\nlogger.info('ready', { tenantId: 'acme' });\n`,
      resolveDir,
      sourcefile: `${name}.ts`,
      loader: 'ts',
    },
    outfile: join(outDir, `${name}.mjs`),
  });
  const metafile = result.metafile as Metafile;
  const [path, output] = Object.entries(metafile.outputs)[0] ?? [];
  if (!output || !path) throw new Error(`no output for ${name}`);
  return {
    file: join(outDir, `${name}.mjs`),
    bytes: output.bytes,
    mapBytes: 0,
    contributors: analyse({ ...metafile, outputs: { [path]: { ...output, entryPoint: 'stdin' } } }).contributors,
  };
}
