// Runs a built command-line tool from a test, as a user would: through the
// shell, stdout captured, stderr through a file, the exit code decoded.
#ifndef PICOML_TESTS_SUPPORT_RUN_COMMAND_H_
#define PICOML_TESTS_SUPPORT_RUN_COMMAND_H_

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

namespace picoml::test {

struct CommandResult {
  int exit_code;    // -1 when the command did not exit normally (a signal)
  std::string out;  // stdout
  std::string err;  // stderr
};

// `stderr_path` is overwritten; give each test its own (tests run in parallel).
inline CommandResult RunCommand(const std::string& command, const std::string& stderr_path) {
  CommandResult r{};
  FILE* pipe = popen((command + " 2>'" + stderr_path + "'").c_str(), "r");
  if (pipe == nullptr) return {-1, "", "popen failed: " + command};
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(stderr_path);
  r.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
  return r;
}

}  // namespace picoml::test

#endif  // PICOML_TESTS_SUPPORT_RUN_COMMAND_H_
