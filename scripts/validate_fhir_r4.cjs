// Validates NDJSON FHIR R4 resources with the npm `fhir` package (independent of ours).
// Usage: node validate_fhir_r4.cjs NODE_MODULES_DIR FILE...
// Exits 1 if any resource has an error-level message.
const fs = require("fs");
const path = require("path");
const { Fhir } = require(path.join(process.argv[2], "fhir"));

const fhir = new Fhir();
let checked = 0;
let failed = 0;
for (const file of process.argv.slice(3)) {
  const lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim());
  lines.forEach((line, index) => {
    checked += 1;
    const resource = JSON.parse(line);
    const result = fhir.validate(resource, { errorOnUnexpected: true });
    const errors = (result.messages || []).filter((m) => m.severity === "error");
    if (!result.valid || errors.length) {
      failed += 1;
      console.log(`${file}:${index + 1} ${resource.resourceType}/${resource.id}: ${JSON.stringify(errors.slice(0, 5))}`);
    }
  });
}
console.log(`npm fhir r4: ${checked} resources, ${failed} invalid`);
process.exit(failed || !checked ? 1 : 0);
