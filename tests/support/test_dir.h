// A folder of the running test's own under the system's temporary folder:
// ctest runs tests in parallel (each in its own process), so a folder shared
// by several tests lets one test's files meet another's. Named after the
// prefix, the process and the test ('/' of parameterized names made '_');
// created on first use and the same folder on every later call in the test.
#ifndef PICOML_TESTS_SUPPORT_TEST_DIR_H_
#define PICOML_TESTS_SUPPORT_TEST_DIR_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace picoml::test {

inline std::filesystem::path OwnTestDir(const std::string& prefix) {
  const auto* info = testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info->name();
  for (char& c : name)
    if (c == '/') c = '_';
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    (prefix + "_" + std::to_string(getpid()) + "_" + name);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace picoml::test

#endif  // PICOML_TESTS_SUPPORT_TEST_DIR_H_
