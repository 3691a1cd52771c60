// A real receiver on loopback for the delivery tests: tests/testing/receivers.py run
// as a child process (a webhook endpoint, or aiosmtpd as a mail server), stopped when
// the object goes. What it received is read back from its directory.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fairlead::testing_util {

class LoopbackReceiver {
 public:
  // kind: "webhook", "webhook-tls" or "smtp"; dir: a directory of its own (created).
  // `files` are written into it first (a TLS receiver's cert.pem and key.pem).
  LoopbackReceiver(const std::string& kind, const std::string& dir,
                   const std::vector<std::pair<std::string, std::string>>& files = {})
      : dir_(dir) {
    std::filesystem::create_directories(dir_);
    for (const auto& [name, text] : files) Set(name, text);
    Start(kind);
  }
  ~LoopbackReceiver() { Stop(); }
  LoopbackReceiver(const LoopbackReceiver&) = delete;
  LoopbackReceiver& operator=(const LoopbackReceiver&) = delete;

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status;
    waitpid(pid_, &status, 0);
    pid_ = 0;
  }
  // A file the receiver reads on each request (status, key).
  void Set(const std::string& name, const std::string& text) { std::ofstream(dir_ + "/" + name) << text; }
  void Clear(const std::string& name) { std::filesystem::remove(dir_ + "/" + name); }
  // What it received, in order.
  std::vector<nlohmann::json> Received() const {
    std::vector<nlohmann::json> out;
    for (int i = 0;; ++i) {
      std::ifstream f(dir_ + "/" + std::to_string(i) + ".json");
      if (!f) break;
      out.push_back(nlohmann::json::parse(f));
    }
    return out;
  }

 private:
  void Start(const std::string& kind) {
    const std::string script = std::string(FL_SOURCE_DIR) + "/tests/testing/receivers.py";
    pid_ = fork();
    if (pid_ == 0) {
      // The Debian interpreter: it is the one python3-aiosmtpd is installed for.
      execl("/usr/bin/python3", "python3", script.c_str(), kind.c_str(), dir_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    ASSERT_GT(pid_, 0);
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      std::ifstream f(dir_ + "/port");
      if (!(f >> port_)) {
        port_ = 0;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    ASSERT_NE(port_, 0) << kind << " receiver did not start (" << script << ")";
  }

  std::string dir_;
  pid_t pid_ = 0;
  int port_ = 0;
};

}  // namespace fairlead::testing_util
