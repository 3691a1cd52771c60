// The end-to-end fixture: the real binary run on a temporary data directory.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "testing/test_util.h"

namespace fairlead {

struct CmdRun {
  int code;
  std::string out;  // stdout and stderr
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing_util::FreshTestDir("cli"); }
  // Runs `fairlead --data <dir>/data <args>` through the shell, with `env` before it.
  CmdRun Fl(const std::string& args, const std::string& env = "") {
    std::string cmd = env + " " + std::string(FL_BINARY) + " --data '" + dir_ + "/data' " + args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    int status = pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  // `init`, then an import of these people (a CSV text with its header).
  void InitWithPeople(const std::string& csv) {
    ASSERT_EQ(Fl("init").code, 0);
    CmdRun r = Fl("import people " + Write("people.csv", csv));
    ASSERT_EQ(r.code, 0) << r.out;
  }
  std::string dir_;
};

}  // namespace fairlead
