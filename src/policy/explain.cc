#include "policy/explain.h"

namespace fairlead {

std::string Explain(const Decision& d, const DecisionRequest& req) {
  std::string out;
  out += d.allow ? "ALLOWED" : "DENIED";
  out += ": " + std::string(Name(req.action));
  if (req.channel) out += " by " + std::string(Name(*req.channel));
  if (req.purpose) out += " for " + req.purpose->id;
  out += " as " + std::string(Name(req.role)) + ", as of " + FormatTime(req.at);
  if (d.basis) out += ", basis " + std::string(Name(*d.basis));
  out += "\n";
  for (size_t i = 0; i < d.reasons.size(); ++i) {
    out += i == 0 ? "  because: " : "  also:    ";
    out += std::string(Describe(d.reasons[i])) + " [" + std::string(Name(d.reasons[i])) + "]\n";
  }
  for (const std::string& e : d.evidence) out += "  record:  " + e + "\n";
  for (Obligation o : d.obligations)
    out += "  must:    " + std::string(Describe(o)) + " [" + std::string(Name(o)) + "]\n";
  for (const std::string& r : d.rule_refs) out += "  rule:    " + r + "\n";
  return out;
}

}  // namespace fairlead
