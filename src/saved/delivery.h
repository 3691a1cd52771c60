// Delivering alerts beyond the in-app feed. Each destination gets the feed entries of
// its user that it has not yet accepted: a webhook as signed JSON POSTs, an email
// address as digest mails, up to `batch` entries each. A destination's cursor
// (`delivered_through`) moves in the store only after the receiver accepted (HTTP 2xx,
// SMTP 250), so each entry reaches each destination once; a failure leaves it where it
// was and the next run sends the same entries again. Should the process die between
// the receiver's acceptance and the record, the next run resends that batch under the
// same delivery id (header X-Fairlead-Delivery, or the mail's Message-ID), by which
// the receiver can drop it.
//
// The receiving system is a destination of policy.md (its region, transfer mechanism
// and US certification): a person is named in what it receives only where decide(view)
// for the user's role and decide(share) to it both allow, decided at delivery time. The
// others are counted by the reason that left them out, never named, their ids and
// details not given. So a user who is not an admin receives accounts, topics, gauges
// and counts outside the app, and names only in it (share needs admin, rule 2).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "index/people_index.h"
#include "net/curl_client.h"
#include "saved/feed_text.h"
#include "store/store.h"
#include "suppression/suppression.h"

namespace fairlead {

struct MailSettings {
  SmtpServer server;
  std::string from;  // a normalised address
};

struct DeliveryContext {
  Store* store = nullptr;
  int64_t tenant = 0;
  const PeopleIndex* index = nullptr;
  Time at = 0;                           // the time the decisions are made for
  const TenantSecret* secret = nullptr;  // webhook signing keys derive from it
  const MailSettings* mail = nullptr;    // null: email destinations fail, saying so
  size_t batch = 200;                    // entries per POST or mail
  std::string ca_file;                   // PEM certificates https webhooks are verified against (empty: system's)
};

// A new destination from what a user typed, validated (the URL's scheme and host, the
// address, the region as an ISO 3166-1 code, EEA or EU). `kind` is webhook or email.
Result<AlertDestination> NewAlertDestination(std::string_view kind, std::string_view user, std::string_view address,
                                             Role role, std::string_view region, TransferMechanism mechanism,
                                             bool us_certified);

// The key a webhook's deliveries are signed with, as hex: HMAC-SHA256 over the tenant
// secret of the destination's id, so the database alone cannot forge a delivery.
std::string WebhookSigningKey(const TenantSecret& secret, int64_t destination);

// How a person appears in what `dest` receives (see the top of this file).
PersonMention MentionFor(const DeliveryContext& ctx, const AlertDestination& dest, int64_t person);

// The JSON a webhook receives for `entries`, and the digest mail for them.
std::string WebhookBody(const DeliveryContext& ctx, const AlertDestination& dest, const std::string& delivery_id,
                        const std::vector<FeedEntry>& entries);
std::string DigestMail(const DeliveryContext& ctx, const AlertDestination& dest, const std::string& delivery_id,
                       const std::vector<FeedEntry>& entries);

struct DeliveryResult {
  int64_t destination = 0;
  size_t delivered = 0;  // entries the receiver accepted in this run
  size_t pending = 0;    // entries still to deliver (after a failure)
  Status status;
};

// Sends what each destination has not yet accepted and records each attempt. Check the
// user's saved items first (CheckSaved), so the feed holds the latest changes.
std::vector<DeliveryResult> DeliverAlerts(const DeliveryContext& ctx, const std::vector<AlertDestination>& dests);

}  // namespace fairlead
