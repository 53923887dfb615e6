// Bundles JsSIP (CommonJS on npm, no browser build in its package) with its dependencies into
// one minified ES module, web/static/vendor/jssip.js, and writes the licenses of everything
// bundled beside it (jssip.LICENSE.txt). Run by scripts/build_phone_lib.py after `npm ci`.
import { readFileSync, writeFileSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, "../../web/static/vendor");
const jssip = JSON.parse(readFileSync(join(here, "node_modules/jssip/package.json"), "utf8"));

const result = await build({
  stdin: { contents: 'import JsSIP from "jssip";\nexport default JsSIP;\n', resolveDir: here, loader: "js" },
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["chrome100", "firefox100", "safari15"],
  minify: true,
  legalComments: "none",
  metafile: true,
  write: false,
  banner: { js: `/*! JsSIP ${jssip.version} (MIT) and its dependencies, bundled for the browser phone; licenses: jssip.LICENSE.txt */` },
});

// The npm packages whose code went into the bundle, with their license files.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m && !packages.has(m[1])) {
    const dir = join(here, "node_modules", m[1]);
    const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    if (!file) throw new Error(`${m[1]}: no license file in its package`);
    packages.set(m[1], { version: meta.version, license: meta.license, text: readFileSync(join(dir, file), "utf8").trim() });
  }
}
if (!packages.has("jssip")) throw new Error("jssip is not in the bundle");

mkdirSync(out, { recursive: true });
writeFileSync(join(out, "jssip.js"), result.outputFiles[0].text);
const notices = [...packages.entries()].sort().map(([name, p]) =>
  `${"=".repeat(78)}\n${name} ${p.version} (${p.license})\n${"=".repeat(78)}\n\n${p.text}\n`);
writeFileSync(join(out, "jssip.LICENSE.txt"),
  `Licenses of the code bundled in jssip.js (built by scripts/phone-lib/build.mjs)\n\n${notices.join("\n")}`);
console.log(`web/static/vendor/jssip.js: JsSIP ${jssip.version}, ${result.outputFiles[0].contents.length} bytes, ` +
  `packages ${[...packages.keys()].sort().join(", ")}`);
