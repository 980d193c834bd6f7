// The backaid release version (the knowledge base has its own, see
// KnowledgeBase::version()). A compile-time constant, printed by
// `backaid --version`.
#ifndef BACKAID_VERSION_H_
#define BACKAID_VERSION_H_

namespace backaid {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace backaid

#endif  // BACKAID_VERSION_H_
