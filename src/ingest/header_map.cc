#include "ingest/header_map.h"

#include <algorithm>
#include <map>

namespace fairlead {

std::string HeaderKey(std::string_view h) {
  std::string out;
  bool sep = false;
  // Skip a UTF-8 byte-order mark.
  if (h.size() >= 3 && static_cast<unsigned char>(h[0]) == 0xEF && static_cast<unsigned char>(h[1]) == 0xBB &&
      static_cast<unsigned char>(h[2]) == 0xBF)
    h.remove_prefix(3);
  for (char c : h) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c >= 'A' && c <= 'Z') { c = static_cast<char>(c - 'A' + 'a'); alnum = true; }
    if (alnum) {
      if (sep && !out.empty()) out += '_';
      out += c;
      sep = false;
    } else {
      sep = true;
    }
  }
  return out;
}

namespace {

struct FieldSpec {
  const char* field;
  std::vector<const char*> aliases;  // HeaderKey forms
  bool required;
};

const std::vector<FieldSpec>& Specs(ImportKind kind) {
  static const std::vector<FieldSpec> kPeople = {
      {"person_ref", {"person_ref", "external_id", "id", "record_id", "contact_id", "lead_id", "url", "profile_url", "linkedin_url"}, false},
      {"first_name", {"first_name", "firstname", "first", "given_name"}, false},
      {"last_name", {"last_name", "lastname", "last", "surname", "family_name"}, false},
      {"full_name", {"full_name", "name", "contact_name"}, false},
      {"email", {"email", "email_address", "e_mail", "primary_email", "work_email", "business_email"}, false},
      {"email2", {"email2", "email_2", "secondary_email", "personal_email", "other_email", "additional_email"}, false},
      {"email_visibility", {"email_visibility", "visibility"}, false},
      {"phone", {"phone", "phone_number", "mobile", "mobile_phone", "mobile_phone_number", "business_phone", "work_phone"}, false},
      {"title", {"title", "job_title", "position"}, false},
      {"seniority", {"seniority", "seniority_level"}, false},
      {"function", {"function", "job_function", "department"}, false},
      {"country", {"country", "mailing_country", "country_region", "billing_country", "country_code"}, false},
      {"region", {"region", "state", "mailing_state", "state_region", "state_province", "city", "mailing_city"}, false},
      {"recipient", {"recipient", "recipient_class"}, false},
      {"stage", {"stage", "lifecycle_stage", "relationship_stage"}, false},
      {"account_domain", {"account_domain", "company_domain", "company_domain_name", "website", "domain"}, false},
      {"account_name", {"account_name", "company", "company_name", "account", "organization"}, false},
      {"collected_at", {"collected_at", "created_date", "create_date", "connected_on", "created_at"}, false},
      {"opt_out_offered", {"opt_out_offered", "opt_out_offered_at_collection"}, false},
      {"transparency_notice_sent_at", {"transparency_notice_sent_at", "notice_sent_at"}, false},
  };
  static const std::vector<FieldSpec> kAccounts = {
      {"domain", {"domain", "account_domain", "website", "company_domain_name"}, true},
      {"name", {"name", "account_name", "company_name", "company"}, false},
      {"industry", {"industry"}, false},
      {"employee_band", {"employee_band", "employees", "number_of_employees", "company_size"}, false},
      {"revenue_band", {"revenue_band", "annual_revenue", "revenue"}, false},
      {"hq_country", {"hq_country", "country", "billing_country", "country_region"}, false},
      {"technologies", {"technologies", "tech_stack", "technology"}, false},
  };
  static const std::vector<FieldSpec> kBases = {
      {"email", {"email", "email_address", "person_email"}, true},
      {"basis", {"basis", "lawful_basis"}, true},
      {"status", {"status"}, true},
      {"scope", {"scope", "purpose"}, true},
      {"channels", {"channels", "channel"}, false},
      {"at", {"at", "time", "timestamp", "date"}, true},
      {"confirmed_at", {"confirmed_at"}, false},
      {"expires_at", {"expires_at"}, false},
      {"source", {"source"}, false},
      {"notice_version", {"notice_version", "notice"}, false},
  };
  static const std::vector<FieldSpec> kPurchases = {
      {"email", {"email", "email_address", "person_email"}, true},
      {"family", {"family", "product_family"}, true},
      {"kind", {"kind", "type"}, true},
      {"at", {"at", "time", "date", "close_date"}, true},
  };
  static const std::vector<FieldSpec> kSuppression = {
      {"email", {"email", "email_address", "e_mail"}, false},
      {"phone", {"phone", "phone_number", "number", "telephone"}, false},
      {"country", {"country"}, false},
  };
  static const std::vector<FieldSpec> kEvents = {
      {"time", {"time", "at", "timestamp", "date"}, true},
      {"account_domain", {"account_domain", "domain", "company_domain"}, true},
      {"person_email", {"person_email", "email"}, false},
      {"topic", {"topic"}, true},
      {"vendor", {"vendor", "source"}, false},
      {"stage", {"stage", "buying_stage"}, true},
      {"action", {"action", "activity", "type"}, true},
  };
  switch (kind) {
    case ImportKind::kEvents: return kEvents;
    case ImportKind::kPeople: return kPeople;
    case ImportKind::kAccounts: return kAccounts;
    case ImportKind::kBases: return kBases;
    case ImportKind::kPurchases: return kPurchases;
    case ImportKind::kSuppression: return kSuppression;
  }
  return kPeople;
}

}  // namespace

std::vector<std::string> CanonicalFields(ImportKind kind) {
  std::vector<std::string> out;
  for (const FieldSpec& s : Specs(kind)) out.push_back(s.field);
  return out;
}

std::string FieldOfHeader(ImportKind kind, std::string_view header) {
  const std::string key = HeaderKey(header);
  for (const FieldSpec& s : Specs(kind))
    if (std::find_if(s.aliases.begin(), s.aliases.end(), [&](const char* a) { return key == a; }) != s.aliases.end())
      return s.field;
  return "";
}

Result<std::vector<std::string>> MapHeaders(ImportKind kind, const std::vector<std::string>& headers,
                                            const std::string& file, int64_t line) {
  const std::string at = file + ":" + std::to_string(line) + ":";  // the header's line (blank lines may precede it)
  const std::vector<FieldSpec>& specs = Specs(kind);
  std::vector<std::string> mapped(headers.size());
  std::map<std::string, size_t> used;
  for (size_t i = 0; i < headers.size(); ++i) {
    const std::string field = FieldOfHeader(kind, headers[i]);
    if (field.empty()) continue;
    auto [it, fresh] = used.emplace(field, i);
    if (!fresh)
      return Status::Invalid(at + std::to_string(i + 1) + ": column '" + headers[i] + "' maps to " + field +
                             ", as column " + std::to_string(it->second + 1) + " '" + headers[it->second] +
                             "' already does");
    mapped[i] = field;
  }
  for (const FieldSpec& s : specs)
    if (s.required && !used.count(s.field))
      return Status::Invalid(at + " no column for required field '" + std::string(s.field) +
                             "' (accepted headers: " + [&] {
                               std::string a;
                               for (const char* x : s.aliases) a += (a.empty() ? "" : ", ") + std::string(x);
                               return a;
                             }() + ")");
  if (kind == ImportKind::kPeople && !used.count("email") && !used.count("person_ref"))
    return Status::Invalid(at + " people need an email or a person_ref column to be identified");
  if (kind == ImportKind::kSuppression && !used.count("email") && !used.count("phone"))
    return Status::Invalid(at + " a suppression list needs an email or a phone column");
  return mapped;
}

}  // namespace fairlead
