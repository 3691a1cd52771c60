#include "core/domain.h"

#include <array>

namespace fairlead {
namespace {

template <typename E, size_t N>
struct Words {
  std::array<std::string_view, N> names;
  std::string_view Name(E v) const { return names[static_cast<size_t>(v)]; }
  bool Parse(std::string_view w, E* out) const {
    for (size_t i = 0; i < N; ++i)
      if (names[i] == w) {
        *out = static_cast<E>(i);
        return true;
      }
    return false;
  }
  std::string Choices() const {
    std::string s;
    for (size_t i = 0; i < N; ++i) {
      if (i) s += i + 1 == N ? " or " : ", ";
      s += names[i];
    }
    return s;
  }
};

constexpr Words<Recipient, 3> kRecipient{{"consumer", "sole_trader", "corporate"}};
constexpr Words<EmailType, 2> kEmailType{{"personal", "generic"}};
constexpr Words<Visibility, 3> kVisibility{{"hidden", "visible", "downloadable"}};
constexpr Words<Stage, 4> kStage{{"suspect", "prospect", "client", "former_client"}};
constexpr Words<LawfulBasis, 6> kBasis{{"consent", "contract", "legal_obligation",
                                        "vital_interest", "public_task", "legitimate_interest"}};
constexpr Words<BasisStatus, 4> kStatus{{"pending", "granted", "withdrawn", "expired"}};
constexpr Words<PurchaseKind, 2> kPurchaseKind{{"sale", "negotiation"}};
constexpr Words<PurposeKind, 5> kPurposeKind{
    {"marketing", "sales_outreach", "service", "analytics", "legal"}};
constexpr Words<Action, 5> kAction{{"view", "contact", "track", "export", "share"}};
constexpr Words<Channel, 4> kChannel{{"email", "sms", "phone", "post"}};
constexpr Words<Role, 3> kRole{{"admin", "list_builder", "read_only"}};
constexpr Words<TransferMechanism, 3> kMechanism{{"none", "scc", "bcr"}};
constexpr Words<EventStage, 3> kEventStage{{"early", "mid", "late"}};
constexpr Words<EventAction, 4> kEventAction{{"view", "download", "webinar", "pricing"}};

}  // namespace

#define FL_ENUM_WORDS(Type, table)                                                   \
  std::string_view Name(Type v) { return table.Name(v); }                            \
  bool Parse(std::string_view w, Type* out) { return table.Parse(w, out); }          \
  template <>                                                                        \
  std::string Choices<Type>() {                                                      \
    return table.Choices();                                                          \
  }
FL_ENUM_WORDS(Recipient, kRecipient)
FL_ENUM_WORDS(EmailType, kEmailType)
FL_ENUM_WORDS(Visibility, kVisibility)
FL_ENUM_WORDS(Stage, kStage)
FL_ENUM_WORDS(LawfulBasis, kBasis)
FL_ENUM_WORDS(BasisStatus, kStatus)
FL_ENUM_WORDS(PurchaseKind, kPurchaseKind)
FL_ENUM_WORDS(PurposeKind, kPurposeKind)
FL_ENUM_WORDS(Action, kAction)
FL_ENUM_WORDS(Channel, kChannel)
FL_ENUM_WORDS(Role, kRole)
FL_ENUM_WORDS(TransferMechanism, kMechanism)
FL_ENUM_WORDS(EventStage, kEventStage)
FL_ENUM_WORDS(EventAction, kEventAction)
#undef FL_ENUM_WORDS

bool ScopeCovers(std::string_view scope, std::string_view purpose_id) {
  if (scope.empty()) return false;
  if (purpose_id.size() < scope.size()) return false;
  if (purpose_id.compare(0, scope.size(), scope) != 0) return false;
  return purpose_id.size() == scope.size() || purpose_id[scope.size()] == '.';
}

bool IsDirectMarketing(PurposeKind kind) {
  return kind == PurposeKind::kMarketing || kind == PurposeKind::kSalesOutreach;
}

}  // namespace fairlead
