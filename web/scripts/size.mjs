// Prints the JavaScript and CSS the first page load fetches (index.html's own scripts, styles and
// module preloads), raw and gzipped: the budget is 300 KB of gzipped JavaScript.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dist = new URL("../dist/", import.meta.url).pathname;
const html = readFileSync(join(dist, "index.html"), "utf8");
const files = [...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
let js = 0;
for (const file of files) {
  const bytes = readFileSync(join(dist, file));
  const gz = gzipSync(bytes, { level: 9 }).length;
  if (file.endsWith(".js")) js += gz;
  console.log(`  ${file.padEnd(40)} ${(bytes.length / 1024).toFixed(1).padStart(7)} KB  ${(gz / 1024).toFixed(1).padStart(6)} KB gzipped`);
}
const budget = 300 * 1024;
console.log(`Initial JavaScript: ${(js / 1024).toFixed(1)} KB gzipped (budget ${budget / 1024} KB)`);
if (js > budget) {
  console.error("error: the initial JavaScript is over budget");
  process.exit(1);
}
