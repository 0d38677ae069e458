// Copyright mtty-lab authors.
//
// migration_stream seeds: QEMU-style stop-and-copy and pre-copy migrations
// of busy ports, resumes into the same device, the transitions the kernel
// refuses, and streams that must be rejected.
#include "core/uart16550.h"
#include "fuzz/mig_model.h"
#include "fuzz/migration_stream_ops.h"
#include "fuzz/seeds.h"

namespace mtty::fuzz {
namespace {

using mst::Input;

// Leaves data in the FIFO, a divisor, IER, MCR loopback and a pending THRE.
void BusyPort(Input& in, int port) {
  in.Port(port, kLcr, 0x83).Port(port, kRbrThr, 0x0c).Port(port, kLcr, 0x1b);
  in.Port(port, kIirFcr, 0x81).Port(port, kIer, 0x0f).Port(port, kMcr, 0x1b);
  for (uint8_t c : {'s', 'a', 'v', 'e'}) in.Port(port, kRbrThr, c);
  in.PortRead(port, kRbrThr).Port(port, kScr, 0x5a).Time(2000);
}

}  // namespace

std::vector<Seed> MigrationStreamSeeds() {
  std::vector<Seed> seeds;
  auto add = [&](const char* name, const Input& in) {
    seeds.push_back(Seed{"migration_stream", name, in.bytes()});
  };
  for (bool uart : {false, true}) {
    Input in(2, uart);
    BusyPort(in, 0);
    BusyPort(in, 1);
    in.SetState(mig::kSC);
    for (int i = 0; i < 4; ++i) in.Read(50);
    in.SetState(mig::kS).SetState(mig::kRS).WriteSaved(7).SetState(mig::kS);
    in.PortRead(0, kRbrThr).SetState(mig::kR).RoundTrip(13);
    add(uart ? "stop_copy_resume_16550a_dual" : "stop_copy_resume_kernel_dual",
        in);
  }
  {
    Input in(1, false);
    BusyPort(in, 0);
    in.SetState(mig::kPC).PrecopyInfo(24).Read(10).PrecopyInfo(24);
    in.Read(100).SetState(mig::kPCP).PrecopyInfo(24).SetState(mig::kSC);
    in.Read(100).PrecopyInfo(24).SetState(mig::kS).SetState(mig::kRS);
    in.WriteSaved(64).SetState(mig::kR);
    add("pre_copy_flow_kernel", in);
  }
  {
    Input in(1, true);
    BusyPort(in, 0);
    in.SetState(mig::kPC).Close().SetState(mig::kSC).Read(100);
    in.SetState(mig::kPC).SetState(mig::kPCP).SetState(mig::kPC);
    in.SetState(mig::kR);
    add("close_in_pre_copy_16550a", in);
  }
  {
    // Transitions the table refuses, and out-of-range targets.
    Input in(1, false);
    in.SetState(mig::kSC).SetState(mig::kPC).SetState(mig::kPCP);
    in.SetState(mig::kE).SetState(8).SetState(9).SetState(mig::kRP);
    in.SetState(mig::kPCP).SetState(mig::kRS).SetState(mig::kPC);
    in.Reset().SetState(mig::kRP).SetState(mig::kS);
    add("refused_transitions", in);
  }
  {
    // Streams that must be rejected, each without changing anything.
    Input in(1, true);
    in.SetState(mig::kRS).SetState(mig::kS);  // empty stream
    const uint8_t garbage[30] = {0x4e, 0x2c, 0x3e, 0x8c, 0x89,
                                 0x09, 0x9d, 0x7e, 2};    // major 2
    in.Write(garbage).WriteHeader(10).SetState(mig::kS);  // header only
    in.Seek(0, 0).Seek(2, ~uint64_t{0}).Seek(3, 5).Seek(4, 0).Seek(5, 0);
    const uint8_t big[100] = {};
    in.Write(big).Write(big).PrecopyInfo(0x80 | 24);
    in.Reset().Write(garbage).Close();
    add("rejected_streams_16550a", in);
  }
  {
    // A saved stream with one byte changed: count, version, reserved byte.
    Input in(1, true);
    BusyPort(in, 0);
    in.SetState(mig::kSC).Read(200).SetState(mig::kS);
    for (uint8_t at : {24 + 15, 24 + 0, 24 + 60, 24 + 13, 3}) {
      in.SetState(mig::kRS).WriteMutated(at, 0x40).SetState(mig::kS);
      in.Reset().SetState(mig::kS);
    }
    add("mutated_records_16550a", in);
  }
  return seeds;
}

}  // namespace mtty::fuzz
