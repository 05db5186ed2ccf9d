// Builds web/static/vendor/echarts-custom-5.6.0.min.js from entry.js and
// writes build.sum (sha256 of the inputs and of the output; checked by
// web/vendor_test.go). Run through `go generate ./web`, or here after
// `npm ci`: node build.mjs [--out FILE]
//
// --out writes the bundle elsewhere (the test rebuilds into a temp dir);
// build.sum still names the vendored file, so a rebuild from the same
// inputs writes the same build.sum.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const vendored = 'static/vendor/echarts-custom-5.6.0.min.js'; // from web/
const inputs = ['package.json', 'package-lock.json', 'entry.js', 'build.mjs'];

const args = process.argv.slice(2);
let out = join(here, '..', '..', vendored);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out' && i + 1 < args.length) {
    out = resolve(args[++i]);
  } else {
    console.error(`build.mjs: unknown argument ${args[i]}; usage: node build.mjs [--out FILE]`);
    process.exit(2);
  }
}

const pkg = (name) => JSON.parse(readFileSync(join(here, 'node_modules', name, 'package.json'), 'utf8'));
const echarts = pkg('echarts');
const zrender = pkg('zrender');
const tslib = pkg('tslib');
if (echarts.version !== '5.6.0') {
  throw new Error(`node_modules has echarts ${echarts.version}, not 5.6.0: run npm ci`);
}

// The sources' Apache headers are plain comments, which minifying drops:
// the banner says what the file is and under which licences. tslib's own
// notice is a /*! legal comment: esbuild keeps it at the end.
const banner = `/*! Apache ECharts ${echarts.version} (Apache-2.0; see LICENSE-echarts, NOTICE-echarts
 * and, for code taken from d3.js, LICENSE-echarts-d3 beside this file), with
 * ZRender ${zrender.version} (BSD-3-Clause) and tslib ${tslib.version} (0BSD).
 * A custom build for weike's coverage dashboard: line and bar charts, grid,
 * tooltip, plain legend, aria, canvas renderer. Built by
 * web/assets/echarts/build.mjs with esbuild; do not edit. */`;

await build({
  absWorkingDir: here,
  entryPoints: ['entry.js'],
  outfile: out,
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2017',
  charset: 'utf8',
  legalComments: 'eof',
  banner: { js: banner },
  // Drops ECharts' and ZRender's development-only checks and warnings
  // (there is no `process` in a browser).
  define: { 'process.env.NODE_ENV': '"production"' },
  sourcemap: false,
  metafile: false,
  logLevel: 'warning',
});

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
// Paths relative to web/: `cd web && sha256sum -c assets/echarts/build.sum`.
const lines = inputs.map((f) => `${sha256(join(here, f))}  assets/echarts/${f}`);
lines.push(`${sha256(out)}  ${vendored}`);
writeFileSync(join(here, 'build.sum'), lines.join('\n') + '\n');
console.log(`wrote ${out} (${readFileSync(out).length} bytes) and build.sum`);
