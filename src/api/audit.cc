// The audit trail: every read, write and erase of an episode, with hashes
// of the episode id and token only.
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "backaid/assess.h"
#include "backaid/calendar.h"
#include "backaid/case_json.h"
#include "backaid/diary.h"
#include "backaid/engine.h"
#include "backaid/handover.h"
#include "backaid/plan.h"
#include "backaid/report.h"
#include "backaid/vocabulary.h"
#include "src/api/api_internal.h"
#include "src/api/crypto.h"
#include "src/api/json_check.h"
#include "src/api/responses.h"

namespace backaid::api {

using server::Problem;

void Api::Audit(const std::string& ref, const std::string& token_ref,
                std::string_view action, std::string_view outcome) {
  // Refused attempts (wrong token, unknown id) are recorded within a budget
  // (src/server/failure_budget.h); the rest only counted. Real accesses are
  // always recorded.
  if ((outcome == "denied" || outcome == "not_found") &&
      !failed_audit_.Allow(ref, ctx_.now_ms())) {
    if (ctx_.http != nullptr) {
      ctx_.http->CountMetric("backaid_audit_failures_unrecorded_total", "");
    }
    return;
  }
  storage::AuditRecord a;
  a.episode_ref = ref;
  a.token_ref = token_ref;
  a.action = std::string(action);
  a.outcome = std::string(outcome);
  a.at = ctx_.now_ms();
  // An audit write that fails must not hide the answer; it is counted
  // so operations see it.
  if (!ctx_.storage->AppendAudit(a).ok() && ctx_.http != nullptr) {
    ctx_.http->CountMetric("backaid_audit_write_failures_total", "");
  }
}

std::string Api::EpisodeRef(std::string_view id, std::string_view token_hash) {
  return KeyedHashHex(token_hash, "backaid episode audit ref", id, 16);
}

std::string Api::LegacyEpisodeRef(std::string_view id) {
  return HashHex("backaid episode ref", id, 16);
}

std::string Api::TokenRef(std::string_view token) {
  return HashHex("backaid token ref", token, 8);
}

std::string Api::TokenHash(std::string_view token) {
  return HashHex("backaid token", token);
}

}  // namespace backaid::api
