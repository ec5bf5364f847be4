// Validates NDJSON FHIR R4 resources with the npm `fhir` package (independent of ours).
// Usage: node validate_fhir_r4.cjs NODE_MODULES_DIR FILE...
// Exits 1 if any resource has an error-level message.
const fs = require("fs");
const path = require("path");
const { Fhir } = require(path.join(process.argv[2], "fhir"));

const fhir = new Fhir();

// The package's R4 model lacks ExplanationOfBenefit.adjudication, the header-level
// adjudication R4 (4.0.1) defines and CARIN Blue Button profiles (Blue Button's v3 puts
// the benefit payment status and claim-level amounts there). Everything inside it is
// still checked by the Python validator.
const knownGap = (m) =>
  m.location === "ExplanationOfBenefit.adjudication" && m.message === "Unexpected property";
let checked = 0;
let failed = 0;
for (const file of process.argv.slice(3)) {
  const lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim());
  lines.forEach((line, index) => {
    checked += 1;
    const resource = JSON.parse(line);
    const result = fhir.validate(resource, { errorOnUnexpected: true });
    const all = (result.messages || []).filter((m) => m.severity === "error");
    const errors = all.filter((m) => !knownGap(m));
    if (errors.length || (!result.valid && !all.length)) {
      failed += 1;
      console.log(`${file}:${index + 1} ${resource.resourceType}/${resource.id}: ${JSON.stringify(errors.slice(0, 5))}`);
    }
  });
}
console.log(`npm fhir r4: ${checked} resources, ${failed} invalid`);
process.exit(failed || !checked ? 1 : 0);
