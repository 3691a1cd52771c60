// Alerts delivered beyond the app, end to end: the real binary sending to a real
// webhook endpoint and a real SMTP server (aiosmtpd) on loopback.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <regex>

#include "testing/cli_fixture.h"
#include "testing/loopback_receiver.h"

namespace fairlead {
namespace {

using nlohmann::json;
using testing_util::LoopbackReceiver;

class AlertDeliveryTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    InitWithPeople("email,first_name,title,country,recipient,account_domain\n"
                   "ann@acme.co.uk,Ann,Engineer,GB,corporate,acme.co.uk\n");
  }
  // A new person at acme.co.uk (and a title change for Ann), as the next import.
  void Change(const std::string& name, const std::string& ann_title) {
    std::string csv = "email,first_name,title,country,recipient,account_domain\n"
                      "ann@acme.co.uk,Ann," + ann_title + ",GB,corporate,acme.co.uk\n" +
                      name + "@acme.co.uk," + char(std::toupper(name[0])) + name.substr(1) +
                      ",CFO,GB,corporate,acme.co.uk\n";
    CmdRun r = Fl("import people " + Write(name + ".csv", csv));
    ASSERT_EQ(r.code, 0) << r.out;
  }
  std::string Url(const LoopbackReceiver& r, const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(r.port()) + path;
  }
  // A self-signed certificate for 127.0.0.1 (its own CA) as DIR/cert.pem and DIR/key.pem.
  static void MakeCertificate(const std::string& dir) {
    std::filesystem::create_directories(dir);
    const std::string openssl = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
                                "-addext subjectAltName=IP:127.0.0.1 -keyout '" + dir + "/key.pem' -out '" + dir +
                                "/cert.pem' >/dev/null 2>&1";
    ASSERT_EQ(std::system(openssl.c_str()), 0) << openssl;
  }
  // Ada (an admin) watches Ann, whose title changes: one alert due to ada@example.com.
  void ADigestIsDue() {
    ASSERT_EQ(Fl("save lead --user ada --role admin ann@acme.co.uk").code, 0);
    ASSERT_EQ(Fl("alerts add-email --user ada ada@example.com --region GB").code, 0);
    Change("bea", "CTO");
  }
  // The signing key add-webhook printed.
  static std::string SigningKey(const std::string& out) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(out, m, std::regex("signing key .*: ([0-9a-f]{64})"))) << out;
    return m.size() > 1 ? m[1].str() : "";
  }
};

TEST_F(AlertDeliveryTest, AWebhookReceivesEachAlertOnceSignedAndRetriedAfterAFailure) {
  LoopbackReceiver hook("webhook", dir_ + "/hook");
  ASSERT_EQ(Fl("save lead --user sam ann@acme.co.uk").code, 0);
  ASSERT_EQ(Fl("save account --user sam acme.co.uk").code, 0);
  CmdRun r = Fl("alerts add-webhook --user sam " + Url(hook, "/in") + " --region DE");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("added webhook #1\tsam\t" + Url(hook, "/in") + "\tregion DE, none"), std::string::npos) << r.out;
  hook.Set("key", SigningKey(r.out));

  // Nothing new yet: nothing sent.
  r = Fl("alerts deliver");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("webhook #1 " + Url(hook, "/in") + " (sam): nothing new"), std::string::npos) << r.out;
  EXPECT_TRUE(hook.Received().empty());

  Change("bea", "CTO");
  r = Fl("alerts deliver");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("(sam): 2 delivered"), std::string::npos) << r.out;
  std::vector<json> got = hook.Received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["path"], "/in");
  EXPECT_EQ(got[0]["signature_ok"], true) << got[0].dump();
  EXPECT_EQ(got[0]["headers"]["content-type"], "application/json");
  json body = json::parse(got[0]["body"].get<std::string>());
  EXPECT_EQ(body["delivery"], got[0]["headers"]["x-fairlead-delivery"]);
  EXPECT_EQ(body["user"], "sam");
  EXPECT_EQ(body["destination"]["region"], "DE");
  ASSERT_EQ(body["entries"].size(), 2u) << body.dump();
  // A list builder may not share people (policy.md rule 2): outside the app nobody
  // is named, and neither are the lead's changes; the entries count them by reason.
  EXPECT_EQ(body["entries"][0]["kind"], "new_person");
  EXPECT_EQ(body["entries"][0]["account"], "acme.co.uk");
  EXPECT_EQ(body["entries"][0]["people"], json::array());
  EXPECT_EQ(body["entries"][0]["withheld"]["ROLE_FORBIDS"], 1);
  EXPECT_EQ(body["entries"][0]["text"], "new people at acme.co.uk: 1 not named here (ROLE_FORBIDS)");
  EXPECT_EQ(body["entries"][1]["kind"], "lead_change");
  EXPECT_EQ(body["entries"][1]["text"], "a saved lead changed; 1 not named here (ROLE_FORBIDS)");
  EXPECT_FALSE(body["entries"][1].contains("changes"));
  for (const char* secret : {"Ann", "Bea", "bea", "ann@", "CTO", "Engineer"})
    EXPECT_EQ(got[0]["body"].get<std::string>().find(secret), std::string::npos) << secret;
  // The in-app feed still names them, and is read apart from the deliveries.
  r = Fl("alerts --user sam");
  EXPECT_NE(r.out.find("lead Ann (#1): title Engineer -> CTO"), std::string::npos) << r.out;

  // Exactly once: the next run sends nothing.
  r = Fl("alerts deliver --user sam");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("nothing new"), std::string::npos) << r.out;
  EXPECT_EQ(hook.Received().size(), 1u);

  // The receiver fails: the run says so and exits 1, and the next run sends the same
  // alerts again under the same delivery id.
  hook.Set("status", "500");
  Change("cy", "CEO");
  r = Fl("alerts deliver");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("2 not delivered, retried next run: POST " + Url(hook, "/in") +
                       ": HTTP 500: receiver says no"), std::string::npos) << r.out;
  r = Fl("alerts destinations");
  EXPECT_NE(r.out.find("delivered through feed entry 2\tlast attempt"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("HTTP 500"), std::string::npos) << r.out;
  hook.Clear("status");
  r = Fl("alerts deliver");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("(sam): 2 delivered"), std::string::npos) << r.out;
  got = hook.Received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1]["answered"], 500);
  EXPECT_EQ(got[2]["answered"], 200);
  EXPECT_EQ(got[1]["headers"]["x-fairlead-delivery"], got[2]["headers"]["x-fairlead-delivery"]);
  EXPECT_NE(got[0]["headers"]["x-fairlead-delivery"], got[2]["headers"]["x-fairlead-delivery"]);
  EXPECT_EQ(got[2]["signature_ok"], true);
  EXPECT_EQ(Fl("alerts deliver").out.find("delivered"), std::string::npos);

  // The receiver is down: an error naming the URL; delivered once it is back.
  const std::string url = Url(hook, "/in");
  hook.Stop();
  Change("dan", "CEO");
  r = Fl("alerts deliver");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("1 not delivered, retried next run: POST " + url), std::string::npos) << r.out;
  // Batches: with --batch 1 each alert is a POST of its own.
  LoopbackReceiver back("webhook", dir_ + "/back");
  ASSERT_EQ(Fl("alerts remove-destination 1").code, 0);
  EXPECT_EQ(Fl("alerts remove-destination 1").code, 1);
  ASSERT_EQ(Fl("alerts add-webhook --user sam " + Url(back, "/b") + " --region DE").code, 0);
  Change("eve", "CIO");
  r = Fl("alerts deliver --batch 1");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("(sam): 2 delivered"), std::string::npos) << r.out;
  EXPECT_EQ(back.Received().size(), 2u);
}

// An https webhook is verified: a receiver whose certificate no trusted CA signed gets
// nothing; trusted through --cacert (a private CA), it gets the alerts.
TEST_F(AlertDeliveryTest, HttpsWebhooksAreVerifiedAgainstTheTrustedCertificates) {
  const std::string tls = dir_ + "/tls";
  ASSERT_NO_FATAL_FAILURE(MakeCertificate(tls));
  LoopbackReceiver hook("webhook-tls", tls);
  ASSERT_EQ(Fl("save account --user sam acme.co.uk").code, 0);
  const std::string url = "https://127.0.0.1:" + std::to_string(hook.port()) + "/secure";
  CmdRun r = Fl("alerts add-webhook --user sam " + url + " --region DE");
  ASSERT_EQ(r.code, 0) << r.out;
  hook.Set("key", SigningKey(r.out));
  Change("bea", "CTO");
  r = Fl("alerts deliver");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("1 not delivered, retried next run: POST " + url), std::string::npos) << r.out;
  EXPECT_TRUE(hook.Received().empty());
  r = Fl("alerts deliver --cacert '" + tls + "/cert.pem'");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("(sam): 1 delivered"), std::string::npos) << r.out;
  std::vector<json> got = hook.Received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["path"], "/secure");
  EXPECT_EQ(got[0]["signature_ok"], true);
  EXPECT_EQ(Fl("alerts deliver --cacert '" + tls + "/none.pem'").code, 2);
}

TEST_F(AlertDeliveryTest, PeopleAreNamedOnlyWhereTheTransferToTheReceiverIsLawful) {
  LoopbackReceiver hook("webhook", dir_ + "/hook");
  ASSERT_EQ(Fl("save account --user ada --role admin acme.co.uk").code, 0);
  // Ann and Bea are in GB; India has no adequacy decision. The destinations take the
  // role ada's saved items are checked with.
  CmdRun r = Fl("alerts add-webhook --user ada " + Url(hook, "/none") + " --region IN");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("role admin"), std::string::npos) << r.out;
  ASSERT_EQ(Fl("alerts add-webhook --user ada " + Url(hook, "/scc") + " --region IN --transfer-mechanism scc").code,
            0);
  ASSERT_EQ(Fl("alerts add-webhook --user ada " + Url(hook, "/gb") + " --region gb").code, 0);
  Change("bea", "Engineer");
  r = Fl("alerts deliver");
  ASSERT_EQ(r.code, 0) << r.out;
  std::map<std::string, json> by_path;
  for (const json& g : hook.Received()) by_path[g["path"]] = json::parse(g["body"].get<std::string>());
  ASSERT_EQ(by_path.size(), 3u);
  const json& none = by_path["/none"]["entries"][0];
  EXPECT_EQ(none["kind"], "new_person");
  EXPECT_EQ(none["people"], json::array());
  EXPECT_EQ(none["withheld"]["TRANSFER_NOT_PERMITTED"], 1);
  EXPECT_EQ(none["text"], "new people at acme.co.uk: 1 not named here (TRANSFER_NOT_PERMITTED)");
  const json& scc = by_path["/scc"]["entries"][0];
  ASSERT_EQ(scc["people"].size(), 1u) << scc.dump();
  EXPECT_EQ(scc["people"][0]["name"], "Bea");
  EXPECT_EQ(scc["people"][0]["obligations"], json::array({"TRANSFER_UNDER_SCC"}));
  EXPECT_FALSE(scc.contains("withheld"));
  const json& gb = by_path["/gb"]["entries"][0];
  EXPECT_EQ(gb["text"], "new people at acme.co.uk: Bea (#2)");
  EXPECT_EQ(by_path["/gb"]["destination"]["region"], "GB");

  // One user's alerts are checked with one role; the same place twice is refused.
  r = Fl("alerts add-webhook --user ada --role list_builder " + Url(hook, "/x") + " --region DE");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("ada's saved items are checked with the role admin"), std::string::npos) << r.out;
  ASSERT_EQ(Fl("save remove account acme.co.uk --user ada").code, 0);
  r = Fl("alerts add-webhook --user ada --role list_builder " + Url(hook, "/x") + " --region DE");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("ada's alerts are checked with the role admin"), std::string::npos) << r.out;
  r = Fl("alerts add-webhook --user ada " + Url(hook, "/gb") + " --region GB");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("already go to"), std::string::npos) << r.out;
}

TEST_F(AlertDeliveryTest, AnEmailDigestReachesTheMailServerOnce) {
  LoopbackReceiver mail("smtp", dir_ + "/mail");
  const std::string smtp = "--smtp smtp://127.0.0.1:" + std::to_string(mail.port()) + " --mail-from alerts@fairlead.test";
  ASSERT_EQ(Fl("save lead --user ada --role admin ann@acme.co.uk").code, 0);
  CmdRun r = Fl("alerts add-email --user ada Ada@Example.COM --region GB --role admin");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("added email #1\tada\tada@example.com"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("signing key"), std::string::npos) << r.out;
  Change("bea", "CTO");
  // Without a mail server the run fails, saying what to give; nothing is lost.
  r = Fl("alerts deliver");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("needs a mail server: give --smtp"), std::string::npos) << r.out;
  r = Fl("alerts deliver " + smtp);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("email #1 ada@example.com (ada): 1 delivered"), std::string::npos) << r.out;
  std::vector<json> got = mail.Received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["mail_from"], "alerts@fairlead.test");
  EXPECT_EQ(got[0]["rcpt_tos"], json::array({"ada@example.com"}));
  EXPECT_EQ(got[0]["subject"], "fairlead: 1 alert for ada");
  EXPECT_EQ(got[0]["headers"]["auto-submitted"], "auto-generated");
  const std::string text = got[0]["text"];
  EXPECT_NE(text.find("1 alert for ada as of"), std::string::npos) << text;
  EXPECT_NE(text.find("lead Ann (#1): title Engineer -> CTO"), std::string::npos) << text;
  EXPECT_NE(text.find("region GB, transfer mechanism none"), std::string::npos) << text;
  r = Fl("alerts deliver " + smtp);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("nothing new"), std::string::npos) << r.out;
  EXPECT_EQ(mail.Received().size(), 1u);

  // A user name beyond ASCII is an encoded word in the subject, never raw bytes.
  ASSERT_EQ(Fl("save account --user 'zoë' acme.co.uk").code, 0);
  ASSERT_EQ(Fl("alerts add-email --user 'zoë' zoe@example.com --region DE").code, 0);
  Change("cy", "CTO");
  r = Fl("alerts deliver --user 'zoë' " + smtp);
  ASSERT_EQ(r.code, 0) << r.out;
  got = mail.Received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1]["subject"], "fairlead: 1 alert for zoë");
  EXPECT_NE(got[1]["text"].get<std::string>().find("new people at acme.co.uk: 1 not named here (ROLE_FORBIDS)"),
            std::string::npos) << got[1]["text"];
}

// A mail server that requires STARTTLS and a login: a run that would skip either, or
// trust a certificate nobody vouched for, sends nothing and retries next time; a
// password is never offered over an unencrypted connection.
TEST_F(AlertDeliveryTest, DigestsGoOverStartTlsWithTheLoginTheServerRequires) {
  const std::string tls = dir_ + "/mail";
  ASSERT_NO_FATAL_FAILURE(MakeCertificate(tls));
  LoopbackReceiver mail("smtp-starttls", tls, {{"auth", "alerts:s3cret pass"}});
  const std::string smtp = "alerts deliver --smtp smtp://127.0.0.1:" + std::to_string(mail.port()) +
                           " --mail-from alerts@fairlead.test";
  const std::string trusted = " --starttls --cacert '" + tls + "/cert.pem'";
  const std::string good = "FAIRLEAD_SMTP_PASSWORD='s3cret pass'";
  ASSERT_NO_FATAL_FAILURE(ADigestIsDue());

  CmdRun r = Fl(smtp + " --smtp-user alerts", good);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("would be sent unencrypted; give --starttls, or an smtps:// server"), std::string::npos) << r.out;
  r = Fl(smtp + trusted + " --smtp-user alerts");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("FAIRLEAD_SMTP_PASSWORD"), std::string::npos) << r.out;
  // No STARTTLS: the server refuses the mail.
  r = Fl(smtp);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("MAIL failed: 530"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 not delivered, retried next run"), std::string::npos) << r.out;
  // STARTTLS to a certificate no trusted CA signed.
  r = Fl(smtp + " --starttls --smtp-user alerts", good);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("SSL certificate problem"), std::string::npos) << r.out;
  // Trusted, but no login, then the wrong password.
  r = Fl(smtp + trusted);
  EXPECT_EQ(r.code, 1) << r.out;
  r = Fl(smtp + trusted + " --smtp-user alerts", "FAIRLEAD_SMTP_PASSWORD=wrong");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("Login denied (server said 535)"), std::string::npos) << r.out;
  EXPECT_TRUE(mail.Received().empty());
  r = Fl("alerts destinations");
  EXPECT_NE(r.out.find("ada@example.com"), std::string::npos) << r.out;

  r = Fl(smtp + trusted + " --smtp-user alerts", good);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("email #1 ada@example.com (ada): 1 delivered"), std::string::npos) << r.out;
  std::vector<json> got = mail.Received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["encrypted"], true);
  EXPECT_EQ(got[0]["login"], "alerts");
  EXPECT_EQ(got[0]["rcpt_tos"], json::array({"ada@example.com"}));
  EXPECT_NE(got[0]["text"].get<std::string>().find("lead Ann (#1): title Engineer -> CTO"), std::string::npos)
      << got[0]["text"];
  r = Fl(smtp + trusted + " --smtp-user alerts", good);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(mail.Received().size(), 1u);
}

// smtps://: TLS from the first byte, verified the same way.
TEST_F(AlertDeliveryTest, DigestsGoToAnSmtpsServerOnlyWhenItsCertificateIsTrusted) {
  const std::string tls = dir_ + "/mail";
  ASSERT_NO_FATAL_FAILURE(MakeCertificate(tls));
  LoopbackReceiver mail("smtps", tls, {{"auth", "alerts:pw"}});
  const std::string smtp = "alerts deliver --smtp smtps://127.0.0.1:" + std::to_string(mail.port()) +
                           " --mail-from alerts@fairlead.test --smtp-user alerts";
  ASSERT_NO_FATAL_FAILURE(ADigestIsDue());
  CmdRun r = Fl(smtp, "FAIRLEAD_SMTP_PASSWORD=pw");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(mail.Received().empty());
  r = Fl(smtp + " --cacert '" + tls + "/cert.pem'", "FAIRLEAD_SMTP_PASSWORD=pw");
  ASSERT_EQ(r.code, 0) << r.out;
  std::vector<json> got = mail.Received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["encrypted"], true);
  EXPECT_EQ(got[0]["login"], "alerts");
}

TEST_F(AlertDeliveryTest, BadDestinationsAreRefusedSayingWhy) {
  struct Case {
    std::string args, says;
  };
  for (const Case& c : std::vector<Case>{
           {"add-webhook --user sam ftp://x.example/ --region DE", "http"},
           {"add-webhook --user sam not-a-url --region DE", "not-a-url"},
           {"add-webhook --user sam http:///path --region DE", "host"},
           {"add-webhook --user sam https://x.example/ --region Atlantis", "--region: 'Atlantis' is not an ISO 3166-1"},
           {"add-webhook --user sam https://x.example/ --region ''", "--region: say where the receiving system is"},
           {"add-webhook --user sam https://x.example/", "--region is required"},
           {"add-webhook --user sam https://x.example/ --region DE --transfer-mechanism dpf",
            "--transfer-mechanism: must be one of"},
           {"add-webhook --user '' https://x.example/ --region DE", "--user: must name a user"},
           {"add-email --user sam not-an-address --region DE", "address: "},
       }) {
    CmdRun r = Fl("alerts " + c.args);
    EXPECT_EQ(r.code, c.says == "--region is required" ? 2 : 1) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.says), std::string::npos) << c.args << "\n" << r.out;
  }
  EXPECT_NE(Fl("alerts destinations").out.find("0 destinations"), std::string::npos);
  CmdRun none = Fl("alerts deliver");
  EXPECT_EQ(none.code, 1);
  EXPECT_NE(none.out.find("no alert destinations (alerts add-webhook, alerts add-email)"), std::string::npos) << none.out;
  ASSERT_EQ(Fl("alerts add-email --user sam sam@example.com --region EEA").code, 0);
  CmdRun r = Fl("alerts deliver --smtp smtp://127.0.0.1:1");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("--smtp needs --mail-from: the address the digests are sent from"), std::string::npos) << r.out;
  r = Fl("alerts deliver --smtp smtp://127.0.0.1:1 --mail-from nobody");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("--mail-from: "), std::string::npos) << r.out;
  r = Fl("alerts deliver --smtp http://127.0.0.1:1");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("--smtp: 'http://127.0.0.1:1' must start with smtp:// or smtps://"), std::string::npos) << r.out;
  EXPECT_NE(Fl("alerts destinations").out.find("region EEA"), std::string::npos);
  // While another run holds the data directory's delivery lock, a run sends nothing.
  const int fd = open((dir_ + "/data/alerts-deliver.lock").c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX), 0);
  r = Fl("alerts deliver");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("another alerts deliver run is in progress"), std::string::npos) << r.out;
  close(fd);
  r = Fl("alerts deliver");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("email #1 sam@example.com (sam): nothing new"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace fairlead
