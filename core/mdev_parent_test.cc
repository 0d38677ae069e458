#include "core/mdev_parent.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

namespace mtty {
namespace {

using std::chrono::milliseconds;

constexpr uint64_t kBar0 = vfio::RegionOffset(vfio::kBar0RegionIndex);

// The n-th UUID of a deterministic family:
// 00000000-0000-0000-0000-0000000000NN.
Uuid U(int n) {
  std::array<uint8_t, 16> b{};
  b[14] = static_cast<uint8_t>(n >> 8);
  b[15] = static_cast<uint8_t>(n);
  return Uuid(b);
}

Status Err(int e) { return Status::Error(e); }

struct Avail {
  unsigned singles;
  unsigned duals;
  friend bool operator==(const Avail&, const Avail&) = default;
};
std::ostream& operator<<(std::ostream& os, const Avail& a) {
  return os << "{mtty-1=" << a.singles << ", mtty-2=" << a.duals << "}";
}

Avail AvailOf(const MdevParent& p) {
  return {*p.AvailableInstances("mtty-1"), *p.AvailableInstances("mtty-2")};
}

std::vector<uint8_t> Int32Bytes(int32_t v) {
  std::vector<uint8_t> out(4);
  std::memcpy(out.data(), &v, 4);
  return out;
}

// GET_INFO (needed before SET_IRQS, a sample quirk) then INTx -> fd.
Status WireIntx(MttyDevice& d, int32_t fd) {
  if (!d.GetInfo().ok()) return Err(-EIO);
  return d.SetIrqs(vfio::kIrqSetDataEventfd | vfio::kIrqSetActionTrigger,
                   vfio::kIntxIrqIndex, 0, 1, Int32Bytes(fd));
}

TEST(MdevParentTest, TypesAreTheSamples) {
  auto types = MdevParent::types();
  ASSERT_EQ(types.size(), 2u);
  EXPECT_EQ(types[0].name, "mtty-1");
  EXPECT_EQ(types[0].pretty_name, "Single port serial");
  EXPECT_EQ(types[0].nr_ports, 1);
  EXPECT_EQ(types[1].name, "mtty-2");
  EXPECT_EQ(types[1].pretty_name, "Dual port serial");
  EXPECT_EQ(types[1].nr_ports, 2);
  EXPECT_EQ(MdevParent::FindType("mtty-2"), &types[1]);
  EXPECT_EQ(MdevParent::FindType("MTTY-2"), nullptr);
  EXPECT_EQ(MdevParent::FindType("mtty-3"), nullptr);
  EXPECT_EQ(MdevParent::FindType(""), nullptr);
  EXPECT_EQ(MdevParent::kName, "mtty");
  EXPECT_EQ(MdevParent::kDeviceApi, "vfio-pci");
}

TEST(MdevParentTest, FreshPoolHas24SinglesOr12Duals) {
  MdevParent p;
  EXPECT_EQ(p.free_ports(), 24);
  EXPECT_EQ(AvailOf(p), (Avail{24, 12}));
  EXPECT_TRUE(p.List().empty());
}

TEST(MdevParentTest, AvailableInstancesOfUnknownTypeIsEinval) {
  MdevParent p;
  EXPECT_EQ(p.AvailableInstances("mtty-0").status(), Err(-EINVAL));
  EXPECT_EQ(p.AvailableInstances("").status(), Err(-EINVAL));
}

TEST(MdevParentTest, TwentyFourSinglesThenEnospc) {
  MdevParent p;
  for (int k = 1; k <= 24; ++k) {
    ASSERT_TRUE(p.Create("mtty-1", U(k)).ok()) << k;
    const unsigned left = static_cast<unsigned>(24 - k);
    EXPECT_EQ(AvailOf(p), (Avail{left, left / 2})) << "after " << k;
  }
  EXPECT_EQ(p.Create("mtty-1", U(25)), Err(-ENOSPC));
  EXPECT_EQ(p.Create("mtty-2", U(26)), Err(-ENOSPC));
  EXPECT_EQ(p.free_ports(), 0);
  EXPECT_EQ(p.List().size(), 24u);
}

TEST(MdevParentTest, TwelveDualsThenEnospc) {
  MdevParent p;
  for (int k = 1; k <= 12; ++k) {
    ASSERT_TRUE(p.Create("mtty-2", U(k)).ok()) << k;
    const unsigned left = static_cast<unsigned>(24 - 2 * k);
    EXPECT_EQ(AvailOf(p), (Avail{left, left / 2})) << "after " << k;
  }
  EXPECT_EQ(p.Create("mtty-2", U(13)), Err(-ENOSPC));
  EXPECT_EQ(p.Create("mtty-1", U(14)), Err(-ENOSPC));
  EXPECT_EQ(p.free_ports(), 0);
}

TEST(MdevParentTest, MixedTypesShareThePool) {
  MdevParent p;
  struct Step {
    const char* op;  // "c1", "c2" create; "rm" remove
    int id;
    Status want;
    Avail after;
  };
  const Step steps[] = {
      {"c2", 1, Status::Ok(), {22, 11}}, {"c1", 2, Status::Ok(), {21, 10}},
      {"c2", 3, Status::Ok(), {19, 9}},  {"c1", 4, Status::Ok(), {18, 9}},
      {"rm", 1, Status::Ok(), {20, 10}}, {"rm", 2, Status::Ok(), {21, 10}},
      {"rm", 2, Err(-ENODEV), {21, 10}}, {"rm", 3, Status::Ok(), {23, 11}},
      {"rm", 4, Status::Ok(), {24, 12}},
  };
  for (const Step& s : steps) {
    const std::string op = s.op;
    Status got = op == "rm"   ? p.Remove(U(s.id))
                 : op == "c1" ? p.Create("mtty-1", U(s.id))
                              : p.Create("mtty-2", U(s.id));
    EXPECT_EQ(got, s.want) << op << " " << s.id;
    EXPECT_EQ(AvailOf(p), s.after) << op << " " << s.id;
  }
}

TEST(MdevParentTest, OddFreePortLeavesNoDualRoom) {
  MdevParent p;
  for (int k = 1; k <= 23; ++k) ASSERT_TRUE(p.Create("mtty-1", U(k)).ok());
  EXPECT_EQ(AvailOf(p), (Avail{1, 0}));
  EXPECT_EQ(p.Create("mtty-2", U(100)), Err(-ENOSPC));
  EXPECT_EQ(AvailOf(p), (Avail{1, 0}));
  ASSERT_TRUE(p.Remove(U(1)).ok());
  EXPECT_EQ(AvailOf(p), (Avail{2, 1}));
  ASSERT_TRUE(p.Create("mtty-2", U(100)).ok());
  EXPECT_EQ(AvailOf(p), (Avail{0, 0}));
  EXPECT_EQ(p.Create("mtty-1", U(101)), Err(-ENOSPC));
}

TEST(MdevParentTest, CreateFromKernelTextForms) {
  MdevParent p;
  EXPECT_TRUE(
      p.Create("mtty-2", "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001\n").ok());
  Result<MdevParent::DeviceInfo> info =
      p.Find(*Uuid::Parse("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->type->name, "mtty-2");
  // Same UUID in upper case is the same binary GUID: -EEXIST.
  EXPECT_EQ(p.Create("mtty-1", "83B8F4F2-509F-382F-3C1E-E6BFE0FA1001"),
            Err(-EEXIST));
}

TEST(MdevParentTest, BadUuidTextIsEinvalAndConsumesNothing) {
  MdevParent p;
  for (std::string_view bad : {"", "83b8f4f2-509f-382f-3c1e-e6bfe0fa100",
                               "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001\n\n",
                               "83b8f4f2_509f-382f-3c1e-e6bfe0fa1001",
                               "z3b8f4f2-509f-382f-3c1e-e6bfe0fa1001"}) {
    EXPECT_EQ(p.Create("mtty-1", bad), Err(-EINVAL)) << bad;
  }
  EXPECT_EQ(p.free_ports(), 24);
  EXPECT_TRUE(p.List().empty());
}

TEST(MdevParentTest, UnknownTypeIsEinval) {
  MdevParent p;
  EXPECT_EQ(p.Create("mtty-3", U(1)), Err(-EINVAL));
  EXPECT_EQ(p.Create("Dual port serial", U(1)), Err(-EINVAL));
  EXPECT_EQ(p.Create("mtty-3", "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"),
            Err(-EINVAL));
  EXPECT_EQ(p.free_ports(), 24);
}

TEST(MdevParentTest, ProfileOutsideTheEnumIsEinval) {
  MdevParent p;
  EXPECT_EQ(p.Create("mtty-1", U(1), static_cast<Profile>(7)), Err(-EINVAL));
  EXPECT_EQ(p.free_ports(), 24);
}

TEST(MdevParentTest, DuplicateIsEexistAndConsumesNothing) {
  MdevParent p;
  ASSERT_TRUE(p.Create("mtty-1", U(1)).ok());
  EXPECT_EQ(p.Create("mtty-1", U(1)), Err(-EEXIST));
  EXPECT_EQ(p.Create("mtty-2", U(1)), Err(-EEXIST));
  EXPECT_EQ(p.free_ports(), 23);
  EXPECT_EQ(p.Find(U(1))->type->name, "mtty-1");
}

TEST(MdevParentTest, DuplicateBeatsNoSpaceAsInTheKernel) {
  MdevParent p;
  for (int k = 1; k <= 12; ++k) ASSERT_TRUE(p.Create("mtty-2", U(k)).ok());
  EXPECT_EQ(p.Create("mtty-2", U(1)), Err(-EEXIST));
  EXPECT_EQ(p.Create("mtty-2", U(99)), Err(-ENOSPC));
}

TEST(MdevParentTest, RemoveUnknownIsEnodev) {
  MdevParent p;
  EXPECT_EQ(p.Remove(U(1)), Err(-ENODEV));
  ASSERT_TRUE(p.Create("mtty-2", U(1)).ok());
  EXPECT_EQ(p.Remove(U(2)), Err(-ENODEV));
  EXPECT_TRUE(p.Remove(U(1)).ok());
  EXPECT_EQ(p.Remove(U(1)), Err(-ENODEV));
  EXPECT_EQ(p.free_ports(), 24);
}

TEST(MdevParentTest, RemovedUuidCanBeCreatedAgain) {
  MdevParent p;
  ASSERT_TRUE(p.Create("mtty-2", U(1)).ok());
  ASSERT_TRUE(p.Remove(U(1)).ok());
  ASSERT_TRUE(p.Create("mtty-1", U(1)).ok());
  EXPECT_EQ(p.Find(U(1))->type->name, "mtty-1");
  EXPECT_EQ(p.free_ports(), 23);
}

TEST(MdevParentTest, ListIsSortedAndDescribesEachDevice) {
  MdevParent p;
  ASSERT_TRUE(p.Create("mtty-2", U(3), Profile::k16550a).ok());
  ASSERT_TRUE(p.Create("mtty-1", U(1)).ok());
  ASSERT_TRUE(p.Create("mtty-1", U(2)).ok());
  Result<MdevHandle> h = p.Open(U(2));
  ASSERT_TRUE(h.ok());
  std::vector<MdevParent::DeviceInfo> list = p.List();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].uuid, U(1));
  EXPECT_EQ(list[1].uuid, U(2));
  EXPECT_EQ(list[2].uuid, U(3));
  EXPECT_EQ(list[0].type->name, "mtty-1");
  EXPECT_EQ(list[2].type->name, "mtty-2");
  EXPECT_EQ(list[0].profile, Profile::kKernel);
  EXPECT_EQ(list[2].profile, Profile::k16550a);
  EXPECT_EQ(list[0].open_handles, 0);
  EXPECT_EQ(list[1].open_handles, 1);
  EXPECT_FALSE(list[1].removing);
  MdevParent::Inventory inv = p.Snapshot();
  EXPECT_EQ(inv.free_ports, 20);
  EXPECT_EQ(inv.devices.size(), 3u);
}

TEST(MdevParentTest, FindUnknownIsEnodev) {
  MdevParent p;
  EXPECT_EQ(p.Find(U(1)).status(), Err(-ENODEV));
}

TEST(MdevParentTest, OpenUnknownIsEnodev) {
  MdevParent p;
  EXPECT_EQ(p.Open(U(1)).status(), Err(-ENODEV));
}

TEST(MdevParentTest, OpenGivesTheDeviceOfTheType) {
  MdevParent p;
  ASSERT_TRUE(p.Create("mtty-2", U(1), Profile::k16550a).ok());
  ASSERT_TRUE(p.Create("mtty-1", U(2)).ok());
  Result<MdevHandle> two = p.Open(U(1));
  Result<MdevHandle> one = p.Open(U(2));
  ASSERT_TRUE(two.ok());
  ASSERT_TRUE(one.ok());
  ASSERT_NE(two->device(), nullptr);
  EXPECT_EQ(two->device()->nr_ports(), 2);
  EXPECT_EQ(two->device()->profile(), Profile::k16550a);
  EXPECT_EQ(one->device()->nr_ports(), 1);
  EXPECT_EQ(one->device()->profile(), Profile::kKernel);
  EXPECT_EQ(two->uuid(), U(1));
  Result<vfio::RegionInfo> bar1 = two->device()->GetRegionInfo(1);
  ASSERT_TRUE(bar1.ok());
  EXPECT_EQ(bar1->size, 8u);
  EXPECT_EQ(one->device()->GetRegionInfo(1)->size, 0u);
}

TEST(MdevParentTest, ClosedHandleHasNoDevice) {
  MdevParent p;
  ASSERT_TRUE(p.Create("mtty-1", U(1)).ok());
  MdevHandle h = std::move(p.Open(U(1))).value();
  EXPECT_TRUE(h.is_open());
  h.Close();
  EXPECT_FALSE(h.is_open());
  EXPECT_EQ(h.device(), nullptr);
  EXPECT_TRUE(h.uuid().is_nil());
  h.Close();  // idempotent
  EXPECT_EQ(p.Find(U(1))->open_handles, 0);
  MdevHandle never;
  EXPECT_FALSE(never.is_open());
  EXPECT_EQ(never.device(), nullptr);
}

TEST(MdevParentTest, LastCloseRunsCloseDevice) {
  FakeFdTable fds;
  std::shared_ptr<CountingSink> sink = fds.Register(10);
  MdevParent p(MdevParent::Options{.resolver = &fds});
  ASSERT_TRUE(p.Create("mtty-1", U(1)).ok());
  MdevHandle a = std::move(p.Open(U(1))).value();
  MdevHandle b = std::move(p.Open(U(1))).value();
  ASSERT_TRUE(WireIntx(*a.device(), 10).ok());
  EXPECT_EQ(a.device()->state().irq.irq_index, 0);
  a.Close();
  // One handle still open: close_device has not run.
  EXPECT_EQ(b.device()->state().irq.irq_index, 0);
  EXPECT_EQ(p.Find(U(1))->open_handles, 1);
  MttyDevice* dev = b.device();
  b.Close();
  EXPECT_EQ(p.Find(U(1))->open_handles, 0);
  // The device lives in the parent; peek through a fresh handle.
  MdevHandle c = std::move(p.Open(U(1))).value();
  EXPECT_EQ(c.device(), dev);
  EXPECT_EQ(c.device()->state().irq.irq_index, -1);
  EXPECT_FALSE(c.device()->state().irq.intx_has_sink);
}

TEST(MdevParentTest, UartStatePersistsAcrossClose) {
  MdevParent p;
  ASSERT_TRUE(p.Create("mtty-1", U(1)).ok());
  {
    MdevHandle h = std::move(p.Open(U(1))).value();
    uint8_t scr = 0x5a;
    ASSERT_EQ(*h.device()->Write(kBar0 + 7, {&scr, 1}), 1u);
  }
  MdevHandle h = std::move(p.Open(U(1))).value();
  uint8_t got = 0;
  ASSERT_EQ(*h.device()->Read(kBar0 + 7, {&got, 1}), 1u);
  EXPECT_EQ(got, 0x5a);
}

TEST(MdevParentTest, MoveAssignClosesTheOldHandle) {
  MdevParent p;
  ASSERT_TRUE(p.Create("mtty-1", U(1)).ok());
  ASSERT_TRUE(p.Create("mtty-1", U(2)).ok());
  MdevHandle h = std::move(p.Open(U(1))).value();
  h = std::move(p.Open(U(2))).value();
  EXPECT_EQ(p.Find(U(1))->open_handles, 0);
  EXPECT_EQ(p.Find(U(2))->open_handles, 1);
  EXPECT_EQ(h.uuid(), U(2));
  MdevHandle moved = std::move(h);
  EXPECT_FALSE(h.is_open());  // NOLINT: moved-from state is specified
  EXPECT_EQ(p.Find(U(2))->open_handles, 1);
}

TEST(MdevParentTest, ResolverReachesTheDevices) {
  FakeFdTable fds;
  fds.Register(10);
  MdevParent with(MdevParent::Options{.resolver = &fds});
  MdevParent without;
  ASSERT_TRUE(with.Create("mtty-1", U(1)).ok());
  ASSERT_TRUE(without.Create("mtty-1", U(1)).ok());
  MdevHandle a = std::move(with.Open(U(1))).value();
  MdevHandle b = std::move(without.Open(U(1))).value();
  EXPECT_TRUE(WireIntx(*a.device(), 10).ok());
  EXPECT_EQ(WireIntx(*a.device(), 11), Err(-EBADF));
  EXPECT_EQ(WireIntx(*b.device(), 10), Err(-EBADF));
}

TEST(MdevParentTest, RemoveWhileOpenWithZeroTimeoutIsEbusyAndHarmless) {
  MdevParent p;
  ASSERT_TRUE(p.Create("mtty-2", U(1)).ok());
  MdevHandle h = std::move(p.Open(U(1))).value();
  EXPECT_EQ(p.Remove(U(1), milliseconds(0)), Err(-EBUSY));
  // Intact: listed, ports held, still openable, the handle still works.
  EXPECT_EQ(p.free_ports(), 22);
  EXPECT_FALSE(p.Find(U(1))->removing);
  EXPECT_TRUE(p.Open(U(1)).ok());
  uint8_t b = 0x41;
  EXPECT_EQ(*h.device()->Write(kBar0, {&b, 1}), 1u);
  h.Close();
  EXPECT_TRUE(p.Remove(U(1), milliseconds(0)).ok());
  EXPECT_EQ(p.free_ports(), 24);
}

TEST(MdevParentTest, RemoveWhileOpenTimesOutAfterTheTimeout) {
  MdevParent p;
  ASSERT_TRUE(p.Create("mtty-1", U(1)).ok());
  MdevHandle h = std::move(p.Open(U(1))).value();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(p.Remove(U(1), milliseconds(100)), Err(-EBUSY));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(100));
  EXPECT_FALSE(p.Find(U(1))->removing);
  EXPECT_TRUE(p.Open(U(1)).ok());  // opens allowed again
  EXPECT_EQ(p.free_ports(), 23);
}

TEST(MdevParentTest, NegativeTimeoutMeansDoNotWait) {
  MdevParent p;
  ASSERT_TRUE(p.Create("mtty-1", U(1)).ok());
  MdevHandle h = std::move(p.Open(U(1))).value();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(p.Remove(U(1), milliseconds(-5)), Err(-EBUSY));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
}

TEST(MdevParentTest, DefaultRemoveUsesTheConfiguredTimeout) {
  MdevParent p(MdevParent::Options{.remove_timeout = milliseconds(0)});
  ASSERT_TRUE(p.Create("mtty-1", U(1)).ok());
  MdevHandle h = std::move(p.Open(U(1))).value();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(p.Remove(U(1)), Err(-EBUSY));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(500));
}

TEST(MdevParentTest, RemoveWaitsForTheLastCloseAndBlocksNewOpens) {
  MdevParent p;
  ASSERT_TRUE(p.Create("mtty-2", U(1)).ok());
  MdevHandle h = std::move(p.Open(U(1))).value();
  std::atomic<bool> done{false};
  Status removed = Err(-EIO);
  std::thread remover([&] {
    removed = p.Remove(U(1), milliseconds(30000));
    done = true;
  });
  // Wait until the remover is waiting.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!p.Find(U(1))->removing &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  ASSERT_TRUE(p.Find(U(1))->removing);
  EXPECT_EQ(p.Open(U(1)).status(), Err(-ENODEV));
  EXPECT_EQ(p.Remove(U(1), milliseconds(0)), Err(-EAGAIN));
  EXPECT_EQ(p.Create("mtty-2", U(1)), Err(-EEXIST));
  EXPECT_EQ(p.free_ports(), 22);  // not back until removal completes
  // The open handle keeps working while removal waits.
  uint8_t scr = 0x33;
  EXPECT_EQ(*h.device()->Write(kBar0 + 7, {&scr, 1}), 1u);
  EXPECT_FALSE(done);
  h.Close();
  remover.join();
  EXPECT_TRUE(removed.ok());
  EXPECT_EQ(p.Find(U(1)).status(), Err(-ENODEV));
  EXPECT_EQ(p.free_ports(), 24);
}

TEST(MdevParentTest, HandleOutlivesItsParent) {
  auto p = std::make_unique<MdevParent>();
  ASSERT_TRUE(p->Create("mtty-1", U(1)).ok());
  MdevHandle h = std::move(p->Open(U(1))).value();
  p.reset();
  ASSERT_TRUE(h.is_open());
  uint8_t v = 0x77, got = 0;
  EXPECT_EQ(*h.device()->Write(kBar0 + 7, {&v, 1}), 1u);
  EXPECT_EQ(*h.device()->Read(kBar0 + 7, {&got, 1}), 1u);
  EXPECT_EQ(got, 0x77);
  h.Close();  // frees the device; ASan checks there is no use after free
}

}  // namespace
}  // namespace mtty
