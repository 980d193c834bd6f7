#include "backaid/knowledge_base.h"

#include <fmt/format.h>

#include <mutex>

#include "src/knowledge/expr.h"
#include "src/knowledge/loader.h"
#include "src/knowledge/program.h"

namespace backaid {

std::string_view LevelName(TriageLevel level) {
  switch (level) {
    case TriageLevel::kSelfCare:
      return "self_care";
    case TriageLevel::kRoutine:
      return "routine";
    case TriageLevel::kUrgent:
      return "urgent";
    case TriageLevel::kEmergency:
      return "emergency";
  }
  return "emergency";
}

std::optional<TriageLevel> ParseLevel(std::string_view name) {
  for (int i = 0; i < kLevelCount; ++i) {
    const auto l = static_cast<TriageLevel>(i);
    if (LevelName(l) == name) return l;
  }
  return std::nullopt;
}

std::string LintIssue::ToString() const {
  if (where.line > 0) {
    return fmt::format("{}:{}:{}: {}", where.file, where.line, where.column,
                       message);
  }
  return fmt::format("{}: {}", where.file, message);
}

KnowledgeBase::KnowledgeBase(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
KnowledgeBase::~KnowledgeBase() = default;

const std::string& KnowledgeBase::version() const { return impl_->version; }
const std::vector<FindingDef>& KnowledgeBase::findings() const {
  return impl_->findings;
}
const std::vector<ConditionDef>& KnowledgeBase::conditions() const {
  return impl_->conditions;
}
const std::vector<ServiceDef>& KnowledgeBase::services() const {
  return impl_->services;
}
const std::vector<SourceDef>& KnowledgeBase::sources() const {
  return impl_->sources;
}
const std::vector<RuleDef>& KnowledgeBase::rules() const {
  return impl_->rules;
}
const std::vector<ConflictDef>& KnowledgeBase::conflicts() const {
  return impl_->conflicts;
}
const LevelDef& KnowledgeBase::level(TriageLevel level) const {
  return impl_->levels[static_cast<int>(level)];
}

std::optional<FindingId> KnowledgeBase::FindFinding(
    std::string_view key) const {
  auto it = impl_->finding_index.find(std::string(key));
  if (it == impl_->finding_index.end()) return std::nullopt;
  return it->second;
}

std::optional<uint16_t> KnowledgeBase::FindCondition(
    std::string_view id) const {
  auto it = impl_->condition_index.find(std::string(id));
  if (it == impl_->condition_index.end()) return std::nullopt;
  return it->second;
}

Case KnowledgeBase::NewCase() const {
  Case c;
  c.values.assign(impl_->findings.size(), kUnknown);
  return c;
}

bool KnowledgeBase::IsAbnormal(FindingId f, int32_t encoded) const {
  const auto& normal = impl_->findings[f].normal;
  return encoded != kUnknown && (!normal || encoded != *normal);
}

std::string FindingValueText(const FindingDef& def, int32_t encoded) {
  return kb::ValueToString(def, encoded);
}

void KnowledgeBase::SetFinding(FindingId f, int32_t encoded, Case* c) const {
  c->values[f] = encoded;
  c->abnormal.set(f, IsAbnormal(f, encoded));
  c->known.set(f, encoded != kUnknown);
}

std::shared_ptr<const KnowledgeBase> KnowledgeBaseBuilder::Wrap(
    std::unique_ptr<KnowledgeBase::Impl> impl) {
  return std::shared_ptr<const KnowledgeBase>(
      new KnowledgeBase(std::move(impl)));
}

// Make, LoadKnowledgeBase, LoadEmbeddedKnowledgeBase and LintKnowledgeBase
// compose the core with the modules' extensions: src/bundle/.

}  // namespace backaid
