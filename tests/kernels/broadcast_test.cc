// broadcast.h on its own: shape rules and the index walk, checked against
// explicit coordinates for shapes of rank 0 to 6.
#include "kernels/broadcast.h"

#include <gtest/gtest.h>

#include <vector>

namespace picoml {
namespace {

Shape MakeShape(std::vector<int32_t> dims) {
  Shape s;
  s.rank = static_cast<int>(dims.size());
  for (int i = 0; i < s.rank; ++i) s.dims[i] = dims[i];
  return s;
}

TEST(Broadcast, OutputShapeFollowsNumpyRules) {
  Shape out;
  ASSERT_TRUE(broadcast::BroadcastShape(MakeShape({1, 1, 1, 8}), MakeShape({2, 3, 4, 8}), &out));
  EXPECT_TRUE(out.Equals(MakeShape({2, 3, 4, 8})));
  ASSERT_TRUE(broadcast::BroadcastShape(MakeShape({2, 1, 5, 1}), MakeShape({3, 1, 4}), &out));
  EXPECT_TRUE(out.Equals(MakeShape({2, 3, 5, 4})));
  ASSERT_TRUE(broadcast::BroadcastShape(MakeShape({}), MakeShape({2, 7}), &out));
  EXPECT_TRUE(out.Equals(MakeShape({2, 7})));
  ASSERT_TRUE(broadcast::BroadcastShape(MakeShape({0, 1}), MakeShape({1, 3}), &out));
  EXPECT_TRUE(out.Equals(MakeShape({0, 3})));
  EXPECT_FALSE(broadcast::BroadcastShape(MakeShape({2, 3}), MakeShape({4, 3}), &out));
  EXPECT_FALSE(broadcast::BroadcastShape(MakeShape({3}), MakeShape({2}), &out));
  EXPECT_TRUE(
      broadcast::CheckBroadcastOutput(MakeShape({3}), MakeShape({2, 1}), MakeShape({2, 3})).ok());
  EXPECT_EQ(
      broadcast::CheckBroadcastOutput(MakeShape({3}), MakeShape({2, 1}), MakeShape({3, 2})).code(),
      StatusCode::kInvalidModel);
}

// Every output element visits the input elements its coordinates name.
void CheckWalk(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  const Shape sa = MakeShape(a), sb = MakeShape(b);
  Shape so;
  ASSERT_TRUE(broadcast::BroadcastShape(sa, sb, &so));
  broadcast::BroadcastPlan plan;
  broadcast::MakeBroadcastPlan(sa, sb, so, &plan);
  std::vector<std::vector<int32_t>> visits;
  broadcast::ForEachIndex(plan, [&](int32_t o, int32_t i1, int32_t i2) {
    visits.push_back({o, i1, i2});
  });
  ASSERT_EQ(static_cast<int64_t>(visits.size()), so.ElementCount());
  auto index_of = [&](const Shape& s, const std::vector<int32_t>& coordinate) {
    int64_t index = 0;
    for (int d = 0; d < s.rank; ++d) {
      const int32_t c = coordinate[so.rank - s.rank + d];
      index = index * s.dims[d] + (s.dims[d] == 1 ? 0 : c);
    }
    return index;
  };
  for (int64_t o = 0; o < so.ElementCount(); ++o) {
    std::vector<int32_t> coordinate(so.rank);
    int64_t rest = o;
    for (int d = so.rank - 1; d >= 0; --d) {
      coordinate[d] = static_cast<int32_t>(rest % so.dims[d]);
      rest /= so.dims[d];
    }
    EXPECT_EQ(visits[o][0], o);
    EXPECT_EQ(visits[o][1], index_of(sa, coordinate)) << "output " << o;
    EXPECT_EQ(visits[o][2], index_of(sb, coordinate)) << "output " << o;
  }
}

TEST(Broadcast, WalkVisitsTheRightElements) {
  CheckWalk({1, 1, 1, 5}, {2, 3, 4, 5});
  CheckWalk({2, 1, 4, 1}, {1, 3, 1, 5});
  CheckWalk({}, {3, 2});
  CheckWalk({4}, {});
  CheckWalk({2, 1, 3, 1, 2, 1}, {1, 2, 1, 3, 1, 2});
  CheckWalk({7}, {7});
}

TEST(Broadcast, EmptyOutputVisitsNothing) {
  broadcast::BroadcastPlan plan;
  broadcast::MakeBroadcastPlan(MakeShape({0, 3}), MakeShape({1, 3}), MakeShape({0, 3}), &plan);
  int visits = 0;
  broadcast::ForEachIndex(plan, [&](int32_t, int32_t, int32_t) { ++visits; });
  EXPECT_EQ(visits, 0);
}

}  // namespace
}  // namespace picoml
