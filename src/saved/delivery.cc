#include "saved/delivery.h"

#include <absl/strings/ascii.h>
#include <nettle/hmac.h>
#include <sodium.h>

#include <ctime>

#include "core/normalize.h"
#include "core/time.h"
#include "policy/decide.h"

namespace fairlead {
namespace {

using nlohmann::json;

std::string Hex(const uint8_t* p, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}

std::string HmacHex(std::string_view key, std::string_view message) {
  hmac_sha256_ctx h;
  hmac_sha256_set_key(&h, key.size(), reinterpret_cast<const uint8_t*>(key.data()));
  hmac_sha256_update(&h, message.size(), reinterpret_cast<const uint8_t*>(message.data()));
  uint8_t digest[SHA256_DIGEST_SIZE];
  hmac_sha256_digest(&h, sizeof digest, digest);
  return Hex(digest, sizeof digest);
}

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}

// RFC 5322 date: "Mon, 07 Dec 2026 20:30:12 +0000" (names in English whatever the locale).
std::string MailDate(Time t) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

// A header value: as it is when printable ASCII, else an RFC 2047 encoded word (so no
// user name can end a header line or start another).
std::string HeaderText(std::string_view s) {
  bool plain = true;
  for (unsigned char c : s) plain = plain && c >= 0x20 && c < 0x7f;
  if (plain) return std::string(s);
  return "=?utf-8?B?" + Base64(s) + "?=";
}

std::string Wrapped(const std::string& base64) {
  std::string out;
  for (size_t i = 0; i < base64.size(); i += 76) out += base64.substr(i, 76) + "\r\n";
  return out;
}

FeedNames NamesFor(const DeliveryContext& ctx, const AlertDestination& dest) {
  FeedNames names;
  names.person = [&ctx, &dest](int64_t id) { return MentionFor(ctx, dest, id); };
  names.account = AccountDomains(*ctx.store, ctx.tenant);
  return names;
}

json DestinationJson(const AlertDestination& d) {
  return json{{"id", d.id},
              {"kind", d.kind},
              {"region", d.destination.region},
              {"transfer_mechanism", Name(d.destination.transfer_mechanism)},
              {"us_certified", d.destination.us_certified}};
}

}  // namespace

Result<AlertDestination> NewAlertDestination(std::string_view kind, std::string_view user, std::string_view address,
                                             Role role, std::string_view region, TransferMechanism mechanism,
                                             bool us_certified) {
  AlertDestination d;
  d.kind = std::string(kind);
  d.user = std::string(user);
  d.role = role;
  if (Trim(user).empty()) return Status::Invalid("--user: must name a user");
  if (kind == "webhook") {
    FL_RETURN_IF_ERROR(CheckWebhookUrl(address));
    d.address = std::string(address);
  } else if (kind == "email") {
    Result<std::string> a = NormalizeEmail(address);
    if (!a.ok()) return a.status().WithContext("address: ");
    d.address = *a;
  } else {
    return Status::Invalid("an alert destination is a webhook or an email address, not '" + std::string(kind) + "'");
  }
  std::string r = absl::AsciiStrToUpper(std::string(Trim(region)));
  if (r.empty())
    return Status::Invalid("--region: say where the receiving system is (an ISO 3166-1 country code, EEA or EU); "
                           "people are named there only where a transfer to it is lawful");
  if (r != "EEA" && r != "EU") {
    Result<std::string> c = NormalizeCountry(r);
    if (!c.ok()) return Status::Invalid("--region: '" + std::string(region) + "' is not an ISO 3166-1 country code, "
                                        "EEA or EU");
    r = *c;
  }
  d.destination.region = r;
  d.destination.transfer_mechanism = mechanism;
  d.destination.us_certified = us_certified;
  d.destination.name = d.kind + " " + d.address;
  return d;
}

std::string WebhookSigningKey(const TenantSecret& secret, int64_t destination) {
  return HmacHex(std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()),
                 "fairlead alert webhook " + std::to_string(destination));
}

PersonMention MentionFor(const DeliveryContext& ctx, const AlertDestination& dest, int64_t person) {
  PersonMention m;
  std::optional<uint32_t> row = ctx.index->RowOf(person);
  if (!row) {
    m.reason = "UNKNOWN_PERSON";
    return m;
  }
  Decision view = ctx.index->DecideRow(*row, nullptr, std::nullopt, Action::kView, dest.role, ctx.at);
  if (!view.allow) {
    m.reason = std::string(Name(view.reasons.front()));
    return m;
  }
  Decision share =
      ctx.index->DecideRow(*row, nullptr, std::nullopt, Action::kShare, dest.role, ctx.at, &dest.destination);
  if (!share.allow) {
    m.reason = std::string(Name(share.reasons.front()));
    return m;
  }
  Result<Person> p = ctx.store->GetPerson(ctx.tenant, person);
  if (!p.ok()) {
    m.reason = "UNKNOWN_PERSON";
    return m;
  }
  m = NamedMention(*p, person);
  for (Obligation o : share.obligations) m.obligations.push_back(Name(o));
  return m;
}

std::string WebhookBody(const DeliveryContext& ctx, const AlertDestination& dest, const std::string& delivery_id,
                        const std::vector<FeedEntry>& entries) {
  FeedNames names = NamesFor(ctx, dest);
  json items = json::array();
  for (const FeedEntry& e : entries) items.push_back(DescribeFeedEntry(e, names).fields);
  return json{{"delivery", delivery_id},
              {"user", dest.user},
              {"sent_at", FormatTime(ctx.at)},
              {"destination", DestinationJson(dest)},
              {"entries", items}}
      .dump(-1, ' ', false, json::error_handler_t::replace);  // a stored name that is not UTF-8 never stops a run
}

std::string DigestMail(const DeliveryContext& ctx, const AlertDestination& dest, const std::string& delivery_id,
                       const std::vector<FeedEntry>& entries) {
  FeedNames names = NamesFor(ctx, dest);
  const std::string count = std::to_string(entries.size()) + (entries.size() == 1 ? " alert" : " alerts");
  std::string text = count + " for " + dest.user + " as of " + FormatTime(ctx.at) + ":\r\n\r\n";
  for (const FeedEntry& e : entries) text += FormatTime(e.at) + "  " + DescribeFeedEntry(e, names).text + "\r\n";
  text += "\r\nPeople are named here only where fairlead's policy allows sending them to this mailbox (region " +
          dest.destination.region + ", transfer mechanism " + std::string(Name(dest.destination.transfer_mechanism)) +
          "); the others are counted with the reason, and named in the app where you may view them.\r\n";
  std::string mail;
  mail += "From: " + ctx.mail->from + "\r\n";
  mail += "To: " + dest.address + "\r\n";
  mail += "Subject: " + HeaderText("fairlead: " + count + " for " + dest.user) + "\r\n";
  mail += "Date: " + MailDate(ctx.at) + "\r\n";
  mail += "Message-ID: <" + delivery_id + "@fairlead.invalid>\r\n";
  mail += "X-Fairlead-Delivery: " + delivery_id + "\r\n";
  mail += "Auto-Submitted: auto-generated\r\n";
  mail += "MIME-Version: 1.0\r\n";
  mail += "Content-Type: text/plain; charset=utf-8\r\n";
  mail += "Content-Transfer-Encoding: base64\r\n\r\n";
  mail += Wrapped(Base64(text));
  return mail;
}

std::vector<DeliveryResult> DeliverAlerts(const DeliveryContext& ctx, const std::vector<AlertDestination>& dests) {
  std::vector<DeliveryResult> out;
  for (const AlertDestination& dest : dests) {
    DeliveryResult r;
    r.destination = dest.id;
    Result<std::vector<FeedEntry>> feed = ctx.store->FeedAfter(ctx.tenant, dest.user, dest.delivered_through);
    if (!feed.ok()) {
      r.status = feed.status();
      out.push_back(r);
      continue;
    }
    size_t next = 0;
    while (next < feed->size()) {
      const size_t end = std::min(feed->size(), next + std::max<size_t>(ctx.batch, 1));
      std::vector<FeedEntry> entries(feed->begin() + static_cast<ptrdiff_t>(next),
                                     feed->begin() + static_cast<ptrdiff_t>(end));
      const std::string id = "fl-t" + std::to_string(ctx.tenant) + "-d" + std::to_string(dest.id) + "-" +
                             std::to_string(entries.front().id) + "-" + std::to_string(entries.back().id);
      Status sent;
      if (dest.kind == "webhook") {
        HttpPost post;
        post.url = dest.address;
        post.ca_file = ctx.ca_file;
        post.body = WebhookBody(ctx, dest, id, entries);
        post.headers = {"Content-Type: application/json", "User-Agent: fairlead", "X-Fairlead-Delivery: " + id,
                        "X-Fairlead-Signature: sha256=" +
                            HmacHex(WebhookSigningKey(*ctx.secret, dest.id), post.body)};
        Result<HttpResponse> resp = Post(post);
        if (!resp.ok()) {
          sent = resp.status();
        } else if (resp->status < 200 || resp->status > 299) {
          std::string said = resp->body.substr(0, 200);
          for (char& c : said)
            if (c == '\n' || c == '\r') c = ' ';
          sent = Status::Io("POST " + dest.address + ": HTTP " + std::to_string(resp->status) +
                            (said.empty() ? "" : ": " + said));
        }
      } else if (!ctx.mail) {
        sent = Status::Invalid("email destination " + std::to_string(dest.id) +
                               " needs a mail server: give --smtp (and --mail-from)");
      } else {
        sent = SendMail(ctx.mail->server, ctx.mail->from, dest.address, DigestMail(ctx, dest, id, entries));
      }
      Status recorded = ctx.store->RecordAlertAttempt(ctx.tenant, dest.id, sent.ok() ? entries.back().id : 0, ctx.at,
                                                      sent.ok() ? "" : sent.message());
      if (!sent.ok() || !recorded.ok()) {
        r.status = sent.ok() ? recorded : sent;
        break;
      }
      r.delivered += entries.size();
      next = end;
    }
    r.pending = feed->size() - r.delivered;
    out.push_back(r);
  }
  return out;
}

}  // namespace fairlead
