/**
 * How the function's code is bundled: the stack (`NodejsFunction`) and the benchmark (`npm run bench`,
 * plain esbuild) both read this, so the benchmark measures exactly what ships.
 *
 * No `keepNames`: it adds a `__name()` call per function and class (4.3 KB, 7 % of our bundle) and
 * nothing needs it, since every error class states its `name`. No `createRequire` banner: with
 * `module` first in mainFields nothing in the bundle calls require(); test/infra/synth.test.ts loads
 * the synthesized bundle as ESM to keep it that way.
 */
export const FUNCTION_BUNDLING = {
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  keepNames: false,
  /** The SDK is bundled: the version the tests ran against, tree-shaken, no surprise runtime upgrade. */
  bundleAwsSdk: true,
} as const;
