// FHIRPath invariants of FHIR R4 (4.0.1), evaluated by the `fhirpath`
// package (pinned in package-lock.json; 4.8.5 is the last that runs on
// bookworm's Node 18) over every resource the FHIR test saved: que-0..13
// on a Questionnaire and its items, qrs-1/qrs-2 on a QuestionnaireResponse,
// bdl-1/2/7 on a Bundle plus "every reference resolves inside the Bundle",
// and the same for the resources inside a Bundle or a Parameters. A
// known-bad control Questionnaire must break que-1, que-2 and que-12, so a
// checker that passes everything fails.
// Usage: node invariants.cjs NODE_MODULES_DIR FILE.json...
'use strict';
const fs = require('fs');
const path = require('path');
const modules = path.resolve(process.argv[2]);
const fhirpath = require(path.join(modules, 'fhirpath'));
const r4 = require(path.join(modules, 'fhirpath', 'fhir-context', 'r4'));

// [key, context (a path from the resource), expression]; expressions as
// R4 publishes them, except: que-12, where R4 wrote "count() > 2" for "more
// than one enableWhen" (R4B and the HL7 validator use the corrected form);
// que-7, where R4's "answer is Boolean" names the System type, which a
// FHIR boolean is not to this library (R4B writes "boolean"); que-1
// without its trace() calls, which only log.
const ITEM = 'Questionnaire.repeat(item)';
const INVARIANTS = {
  Questionnaire: [
    ['que-0', 'Questionnaire', "name.exists() implies name.matches('[A-Z]([A-Za-z0-9_]){0,254}')"],
    ['que-2', 'Questionnaire', 'descendants().linkId.isDistinct()'],
    ['que-1', ITEM, "(type='group' implies item.empty().not()) and (type='display' implies item.empty())"],
    ['que-3', ITEM, "type!='display' or code.empty()"],
    ['que-4', ITEM, 'answerOption.empty() or answerValueSet.empty()'],
    ['que-5', ITEM, "(type ='choice' or type = 'open-choice' or type = 'decimal' or type = 'integer' or type = 'date' or type = 'dateTime' or type = 'time' or type = 'string' or type = 'quantity') or (answerValueSet.empty() and answerOption.empty())"],
    ['que-6', ITEM, "type!='display' or (required.empty() and repeats.empty())"],
    ['que-7', ITEM + '.enableWhen', "operator = 'exists' implies (answer is boolean)"],
    ['que-8', ITEM, "(type!='group' and type!='display') or initial.empty()"],
    ['que-9', ITEM, "type!='display' or readOnly.empty()"],
    ['que-10', ITEM, "(type in ('boolean' | 'decimal' | 'integer' | 'string' | 'text' | 'url' | 'open-choice')) or maxLength.empty()"],
    ['que-11', ITEM, 'answerOption.empty() or initial.empty()'],
    ['que-12', ITEM, 'enableWhen.count() > 1 implies enableBehavior.exists()'],
    ['que-13', ITEM, 'repeats=true or initial.count() <= 1'],
  ],
  QuestionnaireResponse: [
    ['qrs-1', 'QuestionnaireResponse.repeat(item)', '(answer.exists() and item.exists()).not()'],
    ['qrs-2', 'QuestionnaireResponse', 'repeat(answer|item).select(item.linkId.isDistinct())'],
  ],
  Bundle: [
    ['bdl-1', 'Bundle', "total.empty() or (type = 'searchset') or (type = 'history')"],
    ['bdl-2', 'Bundle', "entry.search.empty() or (type = 'searchset')"],
    ['bdl-7', 'Bundle', "(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId).isDistinct()"],
    ['bdl-refs', 'Bundle', 'entry.resource.descendants().reference.all($this in %context.entry.fullUrl)'],
  ],
};

function check(resource, where) {
  const failures = [];
  let evaluated = 0;
  for (const [key, ctx, expr] of INVARIANTS[resource.resourceType] || []) {
    evaluated++;
    // The nodes of the context where the invariant is false (empty counts
    // as not false, as the specification evaluates constraints).
    const nodes = fhirpath.evaluate(resource, `${ctx}.where(((${expr}).allTrue()).not())`,
                                    {}, r4);
    if (nodes.length > 0) {
      const ids = nodes.map((n) => n.linkId || n.question || '').join(', ');
      failures.push(`${where}: ${key} fails${ids ? ` (${ids})` : ''}`);
    }
  }
  const inner = [];
  if (resource.resourceType === 'Bundle') {
    for (const e of resource.entry || []) inner.push(e.resource);
  }
  if (resource.resourceType === 'Parameters') {
    for (const p of resource.parameter || []) if (p.resource) inner.push(p.resource);
  }
  for (const c of resource.contained || []) inner.push(c);
  for (const r of inner) {
    if (!r) continue;
    const sub = check(r, `${where} > ${r.resourceType}`);
    failures.push(...sub.failures);
    evaluated += sub.evaluated;
  }
  return { failures, evaluated };
}

// The control: every one of these must be caught.
const bad = {
  resourceType: 'Questionnaire', status: 'draft',
  item: [
    { linkId: 'a', type: 'display', text: 'x', item: [{ linkId: 'b', type: 'string' }] },
    { linkId: 'b', type: 'group' },
    { linkId: 'c', type: 'string', enableBehavior: undefined,
      enableWhen: [{ question: 'a', operator: 'exists', answerBoolean: true },
                   { question: 'b', operator: 'exists', answerBoolean: true }] },
  ],
};
const control = check(bad, 'control').failures.join('\n');
let failed = 0;
for (const key of ['que-1', 'que-2', 'que-12']) {
  if (!control.includes(`${key} fails`)) {
    console.error(`control: ${key} was not detected; the checker is broken`);
    failed++;
  }
}

let evaluated = 0;
const files = process.argv.slice(3);
for (const f of files) {
  const r = check(JSON.parse(fs.readFileSync(f, 'utf8')), path.basename(f));
  evaluated += r.evaluated;
  for (const m of r.failures) {
    console.error(m);
    failed++;
  }
}
console.log(`FHIRPath invariants: ${evaluated} evaluated over ${files.length} ` +
            `files, ${failed} failed`);
process.exit(failed === 0 && files.length > 0 ? 0 : 1);
