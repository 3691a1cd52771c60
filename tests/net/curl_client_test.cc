#include "net/curl_client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace fairlead {
namespace {

TEST(CheckWebhookUrl, AcceptsHttpAndHttpsWithAHostOnly) {
  EXPECT_TRUE(CheckWebhookUrl("https://hooks.example.com/x?y=1").ok());
  EXPECT_TRUE(CheckWebhookUrl("http://127.0.0.1:8080/in").ok());
  for (const char* bad : {"", "hooks.example.com", "ftp://x.example/", "file:///etc/passwd", "http:///path",
                          "http://", "https://exa mple.com/", "gopher://x/", "smtp://mail.example/"}) {
    Status s = CheckWebhookUrl(bad);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find(std::string("'") + bad + "'"), std::string::npos) << s.message();
  }
}

// A port nothing listens on: bound, then closed.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
  close(fd);
  return ntohs(a.sin_port);
}

TEST(CurlClient, NoAnswerIsAnErrorNamingWhere) {
  const std::string port = std::to_string(ClosedPort());
  HttpPost post;
  post.url = "http://127.0.0.1:" + port + "/in";
  post.body = "{}";
  Result<HttpResponse> r = Post(post);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("POST " + post.url), std::string::npos) << r.status().message();
  post.url = "file:///etc/passwd";
  EXPECT_FALSE(Post(post).ok());

  Status m = SendMail({"smtp://127.0.0.1:" + port}, "a@example.com", "b@example.com", "Subject: x\r\n\r\nx\r\n");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.message().find("127.0.0.1:" + port), std::string::npos) << m.message();
  EXPECT_FALSE(SendMail({"http://127.0.0.1:" + port}, "a@example.com", "b@example.com", "x").ok());
}

}  // namespace
}  // namespace fairlead
