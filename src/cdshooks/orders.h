// Advice on orders (knowledge/orders.yaml), loaded and linted by
// orders_loader.cc as a knowledge-base extension, and the decision of what
// an order-select card says. The wording, the codes, the levels and the
// conditions are data; this header only decides which of the four written
// answers applies to a triage result (see orders.yaml's header).
#ifndef BACKAID_SRC_CDSHOOKS_ORDERS_H_
#define BACKAID_SRC_CDSHOOKS_ORDERS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/case.h"
#include "backaid/engine.h"
#include "backaid/knowledge_base.h"

namespace backaid::cdshooks {

struct OrderCode {
  std::string system;  // URI
  std::string code;
  std::string display;
};

// One written answer: a card's summary (at most 140 characters) and its
// Markdown detail; `suggestion` only for advise_against.
struct OrderText {
  std::string summary;
  std::string detail;
  std::string suggestion;
};

struct OrderAdvice {
  std::string id;
  std::vector<uint16_t> sources;  // indices into kb.sources()
  std::vector<OrderCode> orders;
  uint8_t advise_against_at = 0;   // bit per TriageLevel
  uint32_t unless_conditions = 0;  // bit per kb.conditions() index
  OrderText advise_against, warning_signs, incomplete, unassessed;
};

struct OrderAdviceModel {
  std::vector<OrderAdvice> advice;
};

// The model of `kb`, or null when its knowledge base has no orders.yaml.
const OrderAdviceModel* OrderAdviceOf(const KnowledgeBase& kb);

// The advice items whose codes one of `codings` (system, code) matches.
std::vector<const OrderAdvice*> AdviceForOrder(
    const OrderAdviceModel& model,
    const std::vector<std::pair<std::string, std::string>>& codings);

enum class OrderAnswer { kAdviseAgainst, kWarningSigns, kIncomplete };

// Which written answer applies to a triage result. Never kAdviseAgainst
// while an unanswered question leaves a level above the advice's levels
// open (`open` is CouldNotRuleOut's answer for the same result): advising
// against a test is only as safe as the screen behind it.
OrderAnswer ChooseAnswer(const KnowledgeBase& kb, const OrderAdvice& advice,
                         const TriageResult& result,
                         const std::vector<Undetermined>& open);

}  // namespace backaid::cdshooks

#endif  // BACKAID_SRC_CDSHOOKS_ORDERS_H_
