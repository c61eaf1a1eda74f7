// Run TimelineJS3's own lookupMediaType (src/js/media/MediaType.js) on media objects read from stdin
// as a JSON list; print the media type TimelineJS3 would pick for each, as a JSON list.
//
// MediaType.js imports every media class, and those need a browser. The function itself only
// matches patterns, so its module's source runs here with each imported class replaced by a
// stand-in; the patterns, their order and the matching are TimelineJS3's own, unchanged.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import vm from "node:vm";

const require = createRequire(import.meta.url);
const root = dirname(require.resolve("@knight-lab/timelinejs/package.json"));
const source = readFileSync(join(root, "src/js/media/MediaType.js"), "utf8");

const imported = [];
const body = source
  .replace(/^import\s+(\w+)\s+from\s+["'][^"']+["'];?\s*$/gm, (_, name) => {
    imported.push(name);
    return `const ${name} = { name: ${JSON.stringify(name)} };`;
  })
  .replace(/^export\s+function\s+lookupMediaType\b/m, "function lookupMediaType");
if (/^\s*(import|export)\b/m.test(body) || !body.includes("function lookupMediaType")) {
  throw new Error("MediaType.js no longer has the shape this script expects: update media.mjs");
}
const lookupMediaType = vm.runInNewContext(`${body}\nlookupMediaType;`, {});

const media = JSON.parse(readFileSync(0, "utf8"));
const types = media.map((m) => {
  const found = lookupMediaType(m, false);
  const thumbnail = lookupMediaType(m, true);
  return { type: found ? found.type : null, image: thumbnail ? thumbnail.type : null };
});
console.log(JSON.stringify({ imported: imported.length, types }));
