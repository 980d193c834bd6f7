// The knowledge bundle: the core knowledge base (src/knowledge/) composed
// with every module's extension file. This is the only place that knows
// which modules extend the knowledge base:
//   plan.yaml       the care plan's advice: src/plan/plan_loader.cc
//   questions.yaml  the assessment's questions: src/assess/questions_loader.cc
//   diary.yaml      the follow-up diary: src/diary/diary_loader.cc
//                   (optional: without it the knowledge base has no diary)
//   fhir.yaml       FHIR codes for findings: src/fhir/fhir_codes_loader.cc
//                   (optional)
//   regions.yaml    regional wording and numbers: src/caseio/regions_loader.cc
//   orders.yaml     advice on orders (CDS Hooks order-select):
//                   src/cdshooks/orders_loader.cc (optional)
// The public entry points (LoadKnowledgeBase, LoadEmbeddedKnowledgeBase,
// LintKnowledgeBase in include/backaid/knowledge_base.h) return the bundle:
// a KnowledgeBase whose extension models each module reads back through its
// own accessor (plan::PlanModelOf, assess::QuestionnaireOf,
// diary::DiaryModelOf, fhir::FindingCodes). The fronts receive only that.
#ifndef BACKAID_SRC_BUNDLE_KNOWLEDGE_BUNDLE_H_
#define BACKAID_SRC_BUNDLE_KNOWLEDGE_BUNDLE_H_

#include <vector>

#include "src/knowledge/extension.h"
#include "src/knowledge/loader.h"

namespace backaid::kb {

// Every extension, in load order (static storage).
Extensions BundleExtensions();

// Build(files, BundleExtensions()): the core and every extension.
BuildOutput Build(const std::vector<KbFile>& files);

}  // namespace backaid::kb

#endif  // BACKAID_SRC_BUNDLE_KNOWLEDGE_BUNDLE_H_
