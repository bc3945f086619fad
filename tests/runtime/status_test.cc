#include "picoml/status.h"

#include <gtest/gtest.h>

#include <climits>
#include <string>

namespace picoml {
namespace {

TEST(Status, OkHasNoMessage) {
  const Status s = Status::Ok();
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_STREQ(s.message(), "");
}

TEST(Status, FormatsEveryConversion) {
  const Status s = Status::Error(StatusCode::kArenaTooSmall,
                                 "%s|%d|%i|%u|%ld|%lu|%lld|%llu|%zu|%c|%x|%%", "str", -42, 7, 42u,
                                 -9000000000l, 9000000000ul, LLONG_MIN, ULLONG_MAX,
                                 static_cast<size_t>(123), 'z', 255u);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kArenaTooSmall);
  EXPECT_STREQ(s.message(),
               "str|-42|7|42|-9000000000|9000000000|-9223372036854775808|18446744073709551615|123|"
               "z|ff|%");
}

TEST(Status, LongMessagesAreCutNotOverrun) {
  const std::string long_text(1000, 'x');
  const Status s = Status::Error(StatusCode::kInvalidModel, "%s", long_text.c_str());
  EXPECT_EQ(std::string(s.message()).size(), PICOML_STATUS_MESSAGE_BYTES - 1u);
}

TEST(Status, PrefixKeepsCodeAndAddsContext) {
  Status s = Status::Error(StatusCode::kUnsupported, "type INT16");
  s.Prefix("node %d (%s): ", 3, "CONV_2D");
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_STREQ(s.message(), "node 3 (CONV_2D): type INT16");
}

TEST(Status, NullStringIsPrintedSafely) {
  // Through a volatile so the compiler's format check cannot see the null.
  const char* volatile nothing = nullptr;
  const Status s = Status::Error(StatusCode::kInvalidArgument, "%s", nothing);
  EXPECT_STREQ(s.message(), "(null)");
}

TEST(Status, CodeNames) {
  EXPECT_STREQ(StatusCodeName(StatusCode::kInvalidModel), "invalid model");
  EXPECT_STREQ(StatusCodeName(StatusCode::kArenaTooSmall), "arena too small");
}

}  // namespace
}  // namespace picoml
