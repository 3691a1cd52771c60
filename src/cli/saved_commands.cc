// CLI: save (lead, account, search, list, remove) and alerts (the in-app feed, and
// its delivery to webhooks and email digests).
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/segments.h"
#include "core/normalize.h"
#include "index/filter.h"
#include "policy/decide.h"
#include "saved/delivery.h"
#include "saved/feed_text.h"
#include "saved/watch.h"

namespace fairlead {
namespace {

using nlohmann::json;

// An alert in words for the in-app feed: accounts by domain, people by name where the
// role may still view them, else by id (the entry itself holds ids only).
std::string FeedLine(Segments& s, const FeedEntry& e) {
  AppContext& c = *s.ctx;
  FeedNames names;
  names.account = AccountDomains(*c.store, c.tenant);
  names.person = [&s, &c](int64_t pid) {
    PersonMention m;
    m.named = true;
    std::optional<uint32_t> row = s.index->RowOf(pid);
    if (!row || !s.index->DecideRow(*row, nullptr, std::nullopt, Action::kView, s.query.role, s.query.at).allow) {
      m.text = "#" + std::to_string(pid) + " (no longer viewable)";
      return m;
    }
    Result<Person> p = c.store->GetPerson(c.tenant, pid);
    if (!p.ok()) {
      m.text = "#" + std::to_string(pid);
      return m;
    }
    return NamedMention(*p, pid);
  };
  return DescribeFeedEntry(e, names).text;
}

void AddSaved(CLI::App& app, DataOptions& data, int* code) {
  CLI::App* save = app.add_subcommand("save", "save a lead, an account or a search; alerts report what changes");
  save->require_subcommand(1);
  struct Args {
    std::string user, target, filter, topic, role = "list_builder", at;
  };
  for (const char* kind : {"lead", "account", "search"}) {
    auto a = std::make_shared<Args>();
    std::string k = kind;
    CLI::App* cmd = save->add_subcommand(k, k == "lead" ? "save a person (id, external ref or email)"
                                            : k == "account" ? "save an account (domain)"
                                                             : "save a search (a filter) by name");
    cmd->add_option("--user", a->user, "the user who saves it")->required();
    cmd->add_option(k == "search" ? "name" : k == "lead" ? "person" : "domain", a->target, "what to save")->required();
    if (k == "search") {
      cmd->add_option("--filter", a->filter, "the filter")->required();
      cmd->add_option("--topic", a->topic, "the intent topic whose gauge changes to report");
    }
    cmd->add_option("--role", a->role, "the user's role (what they may view)")->capture_default_str();
    cmd->add_option("--at", a->at, "as of (default now)");
    cmd->callback([&data, code, a, k] {
      Status st = [&]() -> Status {
        Segments s;
        FL_RETURN_IF_ERROR(LoadFor(s, data, a->role, a->at));
        AppContext& c = *s.ctx;
        SavedItem item{a->user, k, a->target, "", AsciiLower(a->topic), s.query.at, ""};
        if (k == "lead") {
          const std::string& key = a->target;
          Result<int64_t> found = ResolvePerson(c, key);
          if (!found.ok()) return found.status();
          const int64_t id = *found;
          std::optional<uint32_t> row = s.index->RowOf(id);
          if (!row) return Status::NotFound("no person '" + key + "'");
          if (!s.index->DecideRow(*row, nullptr, std::nullopt, Action::kView, s.query.role, s.query.at).allow)
            return Status::Denied("person '" + key + "' may not be viewed by a " + a->role);
          item.key = std::to_string(id);
        } else if (k == "account") {
          Result<int64_t> id = ResolveAccount(c, a->target);
          if (!id.ok()) return id.status();
          item.key = std::to_string(*id);
        } else {
          Result<FilterNode> f = ParseFilter(a->filter);
          if (!f.ok()) return f.status().WithContext("--filter: ");
          item.filter = f->ToText();
        }
        WatchContext w{c.store.get(), c.tenant, &s.query};
        Result<std::string> snapshot = Snapshot(w, item);
        if (!snapshot.ok()) return snapshot.status();
        item.state = *snapshot;
        FL_RETURN_IF_ERROR(c.store->PutSaved(c.tenant, item));
        std::cout << "saved " << k << " " << a->target << " for " << a->user << "\n";
        return Status::Ok();
      }();
      if (!st.ok()) *code = Fail(st);
    });
  }

  // What a user watches, and stopping watching it.
  auto list_user = std::make_shared<std::string>();
  CLI::App* ls = save->add_subcommand("list", "a user's saved leads, accounts and searches");
  ls->add_option("--user", *list_user, "the user")->required();
  ls->callback([&data, code, list_user] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    Result<std::vector<SavedItem>> items = ctx->store->ListSaved(ctx->tenant, *list_user);
    if (!items.ok()) { *code = Fail(items.status()); return; }
    for (const SavedItem& i : *items) {
      std::string what = i.kind == "search" ? i.key + ": " + i.filter + (i.topic.empty() ? "" : " (topic " + i.topic + ")")
                         : i.kind == "lead" ? "person #" + i.key
                                            : "account #" + i.key;
      if (i.kind == "account")
        if (Result<Account> acc = ctx->store->GetAccount(ctx->tenant, std::stoll(i.key)); acc.ok())
          what = acc->domain;
      std::cout << i.kind << "\t" << what << "\tsaved " << FormatTime(i.saved_at) << "\n";
    }
    std::cout << items->size() << " saved\n";
  });
  struct RemoveArgs {
    std::string kind, target, user;
  };
  auto rm = std::make_shared<RemoveArgs>();
  CLI::App* remove = save->add_subcommand("remove", "stop watching a saved lead, account or search (its feed stays)");
  remove->add_option("kind", rm->kind, "lead, account or search")->required()->check(CLI::IsMember({"lead", "account", "search"}));
  remove->add_option("target", rm->target, "the person, domain or search name")->required();
  remove->add_option("--user", rm->user, "the user")->required();
  remove->callback([&data, code, rm] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    Status st = [&]() -> Status {
      std::string key = rm->target;
      if (rm->kind == "lead") {
        Result<int64_t> id = ResolvePerson(*ctx, rm->target);
        if (!id.ok()) return id.status();
        key = std::to_string(*id);
      } else if (rm->kind == "account") {
        Result<int64_t> id = ResolveAccount(*ctx, rm->target);
        if (!id.ok()) return id.status();
        key = std::to_string(*id);
      }
      FL_RETURN_IF_ERROR(ctx->store->RemoveSaved(ctx->tenant, rm->user, rm->kind, key));
      std::cout << "removed saved " << rm->kind << " " << rm->target << " for " << rm->user << "\n";
      return Status::Ok();
    }();
    if (!st.ok()) *code = Fail(st);
  });

}

// One line about a destination, for the lists and reports.
std::string DestinationLine(const AlertDestination& d) {
  std::string out = d.kind + " #" + std::to_string(d.id) + "\t" + d.user + "\t" + d.address + "\tregion " +
                    d.destination.region + ", " + std::string(Name(d.destination.transfer_mechanism)) +
                    (d.destination.us_certified ? ", us-certified" : "") + "\trole " + std::string(Name(d.role)) +
                    "\tdelivered through feed entry " + std::to_string(d.delivered_through);
  if (d.last_attempt_at) out += "\tlast attempt " + FormatTime(d.last_attempt_at) + (d.last_error.empty() ? " ok" : ": " + d.last_error);
  return out;
}

void AddAlerts(CLI::App& app, DataOptions& data, int* code) {
  struct Args {
    std::string user, role = "list_builder", at;
  };
  auto a = std::make_shared<Args>();
  auto all = std::make_shared<bool>(false);
  auto as_json = std::make_shared<bool>(false);
  CLI::App* alerts = app.add_subcommand("alerts", "check a user's saved leads, accounts and searches for changes, "
                                                  "then show the unread feed (and mark it read); its subcommands "
                                                  "deliver alerts to webhooks and email digests");
  alerts->require_subcommand(0, 1);
  alerts->add_option("--user", a->user, "the user (required without a subcommand)");
  alerts->add_option("--role", a->role, "the user's role")->capture_default_str();
  alerts->add_option("--at", a->at, "as of (default now)");
  alerts->add_flag("--all", *all, "show the whole feed, read or not");
  alerts->add_flag("--json", *as_json, "JSON lines");
  alerts->callback([&data, code, a, all, as_json, alerts] {
    if (!alerts->get_subcommands().empty()) return;
    Status st = [&]() -> Status {
      if (a->user.empty()) return Status::Invalid("alerts: --user is required (or give a subcommand, see --help)");
      Segments s;
      FL_RETURN_IF_ERROR(LoadFor(s, data, a->role, a->at));
      AppContext& c = *s.ctx;
      WatchContext w{c.store.get(), c.tenant, &s.query};
      Result<std::vector<FeedEntry>> added = CheckSaved(w, a->user);
      if (!added.ok()) return added.status();
      Result<std::vector<FeedEntry>> feed = c.store->ListFeed(c.tenant, a->user, !*all);
      if (!feed.ok()) return feed.status();
      for (const FeedEntry& e : *feed) {
        if (*as_json) {
          std::cout << json{{"id", e.id}, {"at", FormatTime(e.at)}, {"kind", e.kind},
                            {"body", json::parse(e.body, nullptr, false)}, {"read", e.read}}.dump(-1, ' ', false, kBadUtf8) << "\n";
        } else {
          std::cout << FormatTime(e.at) << "  " << FeedLine(s, e) << "\n";
        }
      }
      if (!*as_json) std::cout << added->size() << " new, " << feed->size() << " shown\n";
      return c.store->MarkFeedRead(c.tenant, a->user);
    }();
    if (!st.ok()) *code = Fail(st);
  });

  // Adding a webhook or an email digest.
  for (const char* kind : {"webhook", "email"}) {
    struct AddArgs {
      std::string user, address, role = "list_builder", region, mechanism = "none";
      bool us_certified = false;
    };
    auto d = std::make_shared<AddArgs>();
    const std::string k = kind;
    CLI::App* add = alerts->add_subcommand(
        "add-" + k, k == "webhook" ? "send a user's alerts to a webhook (each batch POSTed as signed JSON)"
                                   : "send a user's alerts to an email address (a digest per delivery run)");
    add->add_option("--user", d->user, "the user whose alerts go there")->required();
    add->add_option(k == "webhook" ? "url" : "address", d->address, k == "webhook" ? "an http:// or https:// URL"
                                                                                   : "the email address")
        ->required();
    add->add_option("--region", d->region,
                    "where the receiving system is: an ISO 3166-1 country code, EEA or EU (people are named there "
                    "only where a transfer to it is lawful)")
        ->required();
    add->add_option("--transfer-mechanism", d->mechanism, "none, scc or bcr")->capture_default_str();
    add->add_flag("--us-certified", d->us_certified, "the receiver is certified under the EU-US framework in force");
    CLI::Option* role_option =
        add->add_option("--role", d->role,
                        "the user's role: what the checks before each delivery may see (default: the role the "
                        "user's saved items were checked for, else list_builder)");
    add->callback([&data, code, d, k, role_option] {
      auto ctx = Open(data, code);
      if (!ctx) return;
      Status st = [&]() -> Status {
        Role role;
        if (!Parse(d->role, &role)) return Status::Invalid("--role: must be one of " + Choices<Role>());
        Result<std::vector<AlertDestination>> existing = ctx->store->ListAlertDestinations(ctx->tenant, d->user);
        if (!existing.ok()) return existing.status();
        Result<std::optional<Role>> checked = CheckedRole(*ctx->store, ctx->tenant, d->user);
        if (!checked.ok()) return checked.status();
        if (role_option->count() == 0 && *checked) role = **checked;
        if (role_option->count() == 0 && !existing->empty()) role = existing->front().role;
        if (*checked && role != **checked)
          return Status::Invalid("--role: " + d->user + "'s saved items are checked with the role " +
                                 std::string(Name(**checked)) + "; their alerts go out checked the same way");
        TransferMechanism mechanism;
        if (!Parse(d->mechanism, &mechanism))
          return Status::Invalid("--transfer-mechanism: must be one of " + Choices<TransferMechanism>());
        Result<AlertDestination> dest =
            NewAlertDestination(k, d->user, d->address, role, d->region, mechanism, d->us_certified);
        if (!dest.ok()) return dest.status();
        for (const AlertDestination& e : *existing) {
          if (e.role != role)
            return Status::Invalid("--role: " + d->user + "'s alerts are checked with the role " + std::string(Name(e.role)) +
                                   " (" + e.kind + " #" + std::to_string(e.id) +
                                   "); one user's destinations share one role");
          if (e.kind == dest->kind && e.address == dest->address)
            return Status::Conflict(d->user + "'s alerts already go to " + e.address + " (" + e.kind + " #" +
                                    std::to_string(e.id) + ")");
        }
        // From now on: what is already in the feed is not sent.
        Result<int64_t> last = ctx->store->LastFeedId(ctx->tenant, d->user);
        if (!last.ok()) return last.status();
        dest->delivered_through = *last;
        dest->created_at = Now();
        FL_RETURN_IF_ERROR(ctx->store->AddAlertDestination(ctx->tenant, &*dest));
        std::cout << "added " << DestinationLine(*dest) << "\n";
        if (k == "webhook")
          std::cout << "signing key (X-Fairlead-Signature is sha256= the HMAC-SHA256 of the body under it): "
                    << WebhookSigningKey(ctx->secret, dest->id) << "\n";
        return Status::Ok();
      }();
      if (!st.ok()) *code = Fail(st);
    });
  }

  auto list_user = std::make_shared<std::string>();
  auto show_keys = std::make_shared<bool>(false);
  CLI::App* ls = alerts->add_subcommand("destinations", "where alerts are delivered, and how far");
  ls->add_option("--user", *list_user, "only this user's (default: every user's)");
  ls->add_flag("--signing-keys", *show_keys, "also print each webhook's signing key");
  ls->callback([&data, code, list_user, show_keys] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    Result<std::vector<AlertDestination>> dests = ctx->store->ListAlertDestinations(ctx->tenant, *list_user);
    if (!dests.ok()) {
      *code = Fail(dests.status());
      return;
    }
    for (const AlertDestination& d : *dests) {
      std::cout << DestinationLine(d);
      if (*show_keys && d.kind == "webhook") std::cout << "\tsigning key " << WebhookSigningKey(ctx->secret, d.id);
      std::cout << "\n";
    }
    std::cout << dests->size() << " destination" << (dests->size() == 1 ? "" : "s") << "\n";
  });

  auto remove_id = std::make_shared<int64_t>(0);
  CLI::App* rm = alerts->add_subcommand("remove-destination", "stop delivering to a destination (the feed stays)");
  rm->add_option("id", *remove_id, "the destination's number (alerts destinations)")->required();
  rm->callback([&data, code, remove_id] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    Status st = ctx->store->RemoveAlertDestination(ctx->tenant, *remove_id);
    if (!st.ok()) {
      *code = Fail(st);
      return;
    }
    std::cout << "removed alert destination " << *remove_id << "\n";
  });

  struct DeliverArgs {
    std::string user, at, smtp, mail_from, smtp_user, ca_file;
    bool starttls = false;
    size_t batch = 200;
  };
  auto dv = std::make_shared<DeliverArgs>();
  CLI::App* deliver = alerts->add_subcommand(
      "deliver", "check the saved items of every user with a destination (or one user), then send each destination "
                 "what it has not yet accepted; a failed destination is retried by the next run");
  deliver->add_option("--user", dv->user, "only this user's destinations");
  deliver->add_option("--at", dv->at, "as of (default now)");
  deliver->add_option("--smtp", dv->smtp, "the mail server for email digests: smtp://host[:port] or smtps://host[:port]");
  deliver->add_flag("--starttls", dv->starttls, "require STARTTLS on an smtp:// server");
  deliver->add_option("--smtp-user", dv->smtp_user, "log in as this user (password from FAIRLEAD_SMTP_PASSWORD)");
  deliver->add_option("--mail-from", dv->mail_from, "the digests' sender address (required with --smtp)");
  deliver->add_option("--cacert", dv->ca_file,
                      "PEM certificates to verify https webhooks and the mail server's TLS against (a private CA; "
                      "default: the system's)")
      ->check(CLI::ExistingFile);
  deliver->add_option("--batch", dv->batch, "alerts per POST or mail")->capture_default_str()->check(CLI::Range(1, 10000));
  deliver->callback([&data, code, dv] {
    Status st = [&]() -> Status {
      Segments s;
      FL_RETURN_IF_ERROR(LoadFor(s, data, "list_builder", dv->at));
      AppContext& c = *s.ctx;
      // One delivery run at a time per data directory (cron may start the next while
      // one still waits on a slow receiver): two would send the same alerts twice.
      const std::string lock_path = c.dir + "/alerts-deliver.lock";
      const int lock = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (lock < 0) return Status::Io(lock_path + ": " + std::strerror(errno));
      struct Closer {
        int fd;
        ~Closer() { close(fd); }  // also releases the lock
      } closer{lock};
      if (flock(lock, LOCK_EX | LOCK_NB) != 0)
        return Status::Conflict(errno == EWOULDBLOCK ? "another alerts deliver run is in progress for " + c.dir +
                                                           "; this one sent nothing"
                                                     : lock_path + ": " + std::strerror(errno));
      std::optional<MailSettings> mail;
      if (!dv->smtp.empty()) {
        if (dv->smtp.rfind("smtp://", 0) != 0 && dv->smtp.rfind("smtps://", 0) != 0)
          return Status::Invalid("--smtp: '" + dv->smtp + "' must start with smtp:// or smtps://");
        if (dv->mail_from.empty())
          return Status::Invalid("--smtp needs --mail-from: the address the digests are sent from");
        Result<std::string> from = NormalizeEmail(dv->mail_from);
        if (!from.ok()) return from.status().WithContext("--mail-from: ");
        mail = MailSettings{{dv->smtp, dv->starttls, dv->smtp_user, "", 30000, dv->ca_file}, *from};
        if (!dv->smtp_user.empty()) {
          // A password never crosses the network in clear.
          if (!dv->starttls && dv->smtp.rfind("smtps://", 0) != 0)
            return Status::Invalid("--smtp-user: a login to " + dv->smtp +
                                   " would be sent unencrypted; give --starttls, or an smtps:// server");
          const char* pw = std::getenv("FAIRLEAD_SMTP_PASSWORD");
          if (!pw) return Status::Invalid("--smtp-user: set the password in the environment variable FAIRLEAD_SMTP_PASSWORD");
          mail->server.password = pw;
        }
      }
      Result<std::vector<AlertDestination>> dests = c.store->ListAlertDestinations(c.tenant, dv->user);
      if (!dests.ok()) return dests.status();
      if (dests->empty())
        return Status::NotFound(dv->user.empty() ? "no alert destinations (alerts add-webhook, alerts add-email)"
                                                  : "no alert destinations for " + dv->user);
      std::map<std::string, std::vector<AlertDestination>> by_user;
      for (AlertDestination& d : *dests) by_user[d.user].push_back(std::move(d));
      DeliveryContext dc{c.store.get(), c.tenant, s.index.get(), s.query.at, &c.secret, mail ? &*mail : nullptr,
                         dv->batch, dv->ca_file};
      bool failed = false;
      for (auto& [user, mine] : by_user) {
        s.query.role = mine.front().role;
        WatchContext w{c.store.get(), c.tenant, &s.query};
        Result<std::vector<FeedEntry>> added = CheckSaved(w, user);
        if (!added.ok()) {
          std::cout << user << ": not checked, nothing delivered: " << added.status().message() << "\n";
          failed = true;
          continue;
        }
        for (const DeliveryResult& r : DeliverAlerts(dc, mine)) {
          const AlertDestination& d = *std::find_if(mine.begin(), mine.end(),
                                                    [&](const AlertDestination& x) { return x.id == r.destination; });
          std::cout << d.kind << " #" << d.id << " " << d.address << " (" << user << "): ";
          if (r.status.ok()) {
            std::cout << (r.delivered ? std::to_string(r.delivered) + " delivered" : std::string("nothing new")) << "\n";
          } else {
            failed = true;
            std::cout << (r.delivered ? std::to_string(r.delivered) + " delivered, " : std::string()) << r.pending
                      << " not delivered, retried next run: " << r.status.message() << "\n";
          }
        }
      }
      if (failed) return Status::Io("some alerts were not delivered (see above)");
      return Status::Ok();
    }();
    if (!st.ok()) *code = Fail(st);
  });
}

}  // namespace

void RegisterSavedCommands(CLI::App& app, DataOptions& data, int* exit_code) {
  AddSaved(app, data, exit_code);
  AddAlerts(app, data, exit_code);
}

}  // namespace fairlead
