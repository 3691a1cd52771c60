// Outbound messages: an HTTP POST (webhooks) and a mail sent over SMTP, both through
// libcurl. Only the protocols asked for are allowed (no redirect is followed, no
// file:// or other scheme reached through a URL); every failure is an error naming
// the URL or server and what went wrong. Safe to call from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace fairlead {

// An http:// or https:// URL with a host, or an error saying what is wrong with it.
Status CheckWebhookUrl(std::string_view url);

struct HttpPost {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  long timeout_ms = 15000;
  std::string ca_file;  // PEM certificates to trust for https (empty: the system's)
};

struct HttpResponse {
  long status = 0;
  std::string body;  // the first 4 KiB
};

// Sends the POST. An answer of any status is a response; no answer (connection,
// TLS, timeout) is an error.
Result<HttpResponse> Post(const HttpPost& post);

struct SmtpServer {
  std::string url;           // smtp://host[:port] or smtps://host[:port]
  bool require_tls = false;  // smtp:// with STARTTLS required
  std::string user, password;
  long timeout_ms = 30000;
  std::string ca_file;  // PEM certificates to trust for TLS (empty: the system's)
};

// Sends one message (RFC 5322 text with CRLF line ends) from `from` to `to`; OK once
// the server accepted it for delivery.
Status SendMail(const SmtpServer& server, std::string_view from, std::string_view to, std::string_view message);

}  // namespace fairlead
