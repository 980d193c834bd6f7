// CDS Hooks 2.0 front of `backaid serve`: GET /cds-services (discovery) and
// POST /cds-services/{id}. A thin front: the answers come from the
// request's prefetch (the latest QuestionnaireResponse to the
// backaid-assessment Questionnaire), are triaged by the core through the
// FHIR front's decoder (src/fhir) and come back as cards. backaid never
// queries the EHR's fhirServer: without prefetch the card asks for the
// assessment instead.
//
// Services:
//   backaid-back-pain       patient-view: the triage of the assessment.
//   backaid-imaging-advice  order-select (listed only when the knowledge
//                           base has orders.yaml): for each selected draft
//                           order that an advice item is about (spine
//                           imaging), a card saying whether the assessment
//                           found red flags and the advice that follows,
//                           with a suggestion to remove the order only when
//                           the red-flag screen is complete and clear
//                           (src/cdshooks/orders.h). Other orders: no card.
//
// Configuration (environment of `backaid serve`; all empty by default = no
// JWT check, for a local sandbox):
//   BACKAID_CDS_JWKS       path of a JWKS file (EC P-384 and/or RSA keys);
//                          when set, every POST needs a valid JWT
//   BACKAID_CDS_ISSUERS    comma-separated allowed `iss` values
//   BACKAID_CDS_AUDIENCE   this service's URL, the expected `aud`
//   BACKAID_PUBLIC_URL     absolute base URL of the web assessment, for
//                          the card's link (default: http://<Host>/)
#ifndef BACKAID_SRC_CDSHOOKS_CDSHOOKS_H_
#define BACKAID_SRC_CDSHOOKS_CDSHOOKS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backaid/knowledge_base.h"
#include "backaid/status.h"
#include "src/server/http_server.h"

namespace backaid::cdshooks {

struct CdsContext {
  std::shared_ptr<const KnowledgeBase> kb;
  std::function<int64_t()> now_ms;  // Unix ms; the system clock if empty
  std::string jwks_path;            // empty = no JWT verification
  std::vector<std::string> issuers;
  std::string audience;
  std::string public_url;
};

// Reads the BACKAID_CDS_* variables into `ctx`.
void ConfigureFromEnvironment(CdsContext* ctx);

std::vector<std::pair<std::string, std::string>> RouteList();

// Registers the routes. If a configured JWKS cannot be used, the problem
// is written to stderr and every POST is answered 503: a misconfigured
// verifier never fails open.
void RegisterRoutes(server::HttpServer& http, CdsContext ctx);

}  // namespace backaid::cdshooks

#endif  // BACKAID_SRC_CDSHOOKS_CDSHOOKS_H_
