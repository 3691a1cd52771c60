#include "net/curl_client.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace fairlead {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using List = std::unique_ptr<curl_slist, ListDeleter>;

// An easy handle with what every call here wants: no signals, no redirects, only
// `protocols`, an error buffer.
struct Handle {
  Easy easy;
  char error[CURL_ERROR_SIZE] = {};
};

Result<std::unique_ptr<Handle>> NewHandle(const char* protocols, long timeout_ms, const std::string& ca_file) {
  GlobalInit();
  auto h = std::make_unique<Handle>();
  h->easy.reset(curl_easy_init());
  if (!h->easy) return Status::Internal("libcurl: could not create a handle");
  CURL* c = h->easy.get();
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->error);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 10000 ? timeout_ms : 10000L);
  if (!ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca_file.c_str());  // peers are still verified
  return h;
}

std::string Failure(const Handle& h, CURLcode code) {
  std::string detail = h.error[0] ? h.error : curl_easy_strerror(code);
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) detail.pop_back();
  return detail;
}

size_t KeepBody(char* data, size_t size, size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  const size_t len = size * n;
  if (body->size() < 4096) body->append(data, std::min(len, 4096 - body->size()));
  return len;
}

struct Reader {
  std::string_view rest;
};

size_t ReadMessage(char* buffer, size_t size, size_t n, void* in) {
  auto* r = static_cast<Reader*>(in);
  const size_t len = std::min(size * n, r->rest.size());
  r->rest.copy(buffer, len);
  r->rest.remove_prefix(len);
  return len;
}

}  // namespace

Status CheckWebhookUrl(std::string_view url) {
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  if (!u) return Status::Internal("libcurl: could not parse URLs");
  const std::string text(url);
  if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, text.c_str(), 0); rc != CURLUE_OK)
    return Status::Invalid("'" + text + "' is not a URL: " + curl_url_strerror(rc));
  char* scheme = nullptr;
  char* host = nullptr;
  curl_url_get(u.get(), CURLUPART_SCHEME, &scheme, 0);
  curl_url_get(u.get(), CURLUPART_HOST, &host, 0);
  const std::string s = scheme ? scheme : "", hst = host ? host : "";
  curl_free(scheme);
  curl_free(host);
  if (s != "http" && s != "https")
    return Status::Invalid("'" + text + "': a webhook must be an http:// or https:// URL, not " + s + "://");
  // libcurl reads "http:///x" as the host x; a URL with an empty authority names no host.
  const size_t authority = text.find("://");
  if (hst.empty() || authority == std::string::npos || authority + 3 >= text.size() || text[authority + 3] == '/')
    return Status::Invalid("'" + text + "': the URL names no host");
  return Status::Ok();
}

Result<HttpResponse> Post(const HttpPost& post) {
  FL_RETURN_IF_ERROR(CheckWebhookUrl(post.url));
  Result<std::unique_ptr<Handle>> h = NewHandle("http,https", post.timeout_ms, post.ca_file);
  if (!h.ok()) return h.status();
  CURL* c = (*h)->easy.get();
  List headers;
  for (const std::string& line : post.headers) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (!next) return Status::Internal("libcurl: out of memory for headers");
    headers.release();
    headers.reset(next);
  }
  HttpResponse response;
  curl_easy_setopt(c, CURLOPT_URL, post.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, post.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post.body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, KeepBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  if (CURLcode rc = curl_easy_perform(c); rc != CURLE_OK)
    return Status::Io("POST " + post.url + ": " + Failure(**h, rc));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

Status SendMail(const SmtpServer& server, std::string_view from, std::string_view to, std::string_view message) {
  Result<std::unique_ptr<Handle>> h = NewHandle("smtp,smtps", server.timeout_ms, server.ca_file);
  if (!h.ok()) return h.status();
  CURL* c = (*h)->easy.get();
  const std::string mail_from = "<" + std::string(from) + ">", rcpt = "<" + std::string(to) + ">";
  List recipients(curl_slist_append(nullptr, rcpt.c_str()));
  if (!recipients) return Status::Internal("libcurl: out of memory for recipients");
  Reader reader{message};
  curl_easy_setopt(c, CURLOPT_URL, server.url.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadMessage);
  curl_easy_setopt(c, CURLOPT_READDATA, &reader);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  if (server.require_tls) curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!server.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, server.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, server.password.c_str());
  }
  if (CURLcode rc = curl_easy_perform(c); rc != CURLE_OK) {
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    return Status::Io("mail to " + std::string(to) + " through " + server.url + ": " + Failure(**h, rc) +
                      (code ? " (server said " + std::to_string(code) + ")" : ""));
  }
  return Status::Ok();
}

}  // namespace fairlead
