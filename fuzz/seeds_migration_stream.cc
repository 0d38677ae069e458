// Copyright mtty-lab authors.
//
// migration_stream seeds: QEMU-style stop-and-copy and pre-copy migrations
// of busy ports, resumes into the same device, the transitions the kernel
// refuses, and streams that must be rejected.
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "core/uart16550.h"
#include "fuzz/models/mig_model.h"
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

// A port record as Uart16550::SaveState lays it out (core/uart16550.h):
// the given profile's power-on state, to be changed field by field.
struct Record {
  std::vector<uint8_t> b = std::vector<uint8_t>(64, 0);
  explicit Record(bool uart) {
    b[0] = 1;               // version
    b[1] = uart ? 1 : 0;    // profile
    b[13] = uart ? 1 : 0;   // trigger: kernel 0 until an FCR write
    b[14] = uart ? 1 : 16;  // capacity: 16550a FIFO off, kernel 16
  }
  Record& Set(size_t at, uint8_t v) {
    b[at] = v;
    return *this;
  }
  // FIFO contents: count, then bytes and their flags.
  Record& Rx(std::initializer_list<uint8_t> bytes, uint8_t flags = 0) {
    b[15] = static_cast<uint8_t>(bytes.size());
    size_t i = 0;
    for (uint8_t c : bytes) {
      b[16 + i] = c;
      b[32 + i] = flags;
      ++i;
    }
    return *this;
  }
};

// One resume attempt from RUNNING: STOP -> RESUMING, this device's header,
// the record, RESUMING -> STOP (loads it or is refused, the stream rules
// decide), then RESET back to RUNNING.
void Resume(Input& in, const Record& r) {
  in.Reset().SetState(mig::kRS).WriteHeader(24).Write(r.b).SetState(mig::kS);
}

}  // namespace

std::vector<Seed> MigrationStreamSeeds() {
  std::vector<Seed> seeds;
  auto add = [&](const char* name, const Input& in) {
    seeds.push_back(Seed{"migration_stream", name, in.bytes()});
  };
  // Long record lists go out in parts (seeds stay under the 1024-byte
  // -max_len of corpus/migration_stream.options): name_1, name_2, ...
  int part = 0;
  std::string part_of;
  auto flush = [&](const std::string& name, Input& in) {
    if (in.bytes().size() <= 1) return;
    if (part_of != name) part = 0, part_of = name;
    seeds.push_back(Seed{"migration_stream",
                         name + "_" + std::to_string(++part), in.bytes()});
    in = Input(1, in.bytes()[0] & mst::kSetup16550a);
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
  {
    // Every (state, target) pair of the table, each from a fresh RUNNING:
    // all arcs of mtty_step_state, the refused ones and the out-of-range
    // targets (8, 9), ERROR included.
    Input in(1, false);
    for (uint8_t cur : {mig::kS, mig::kR, mig::kSC, mig::kRS, mig::kRP,
                        mig::kPC, mig::kPCP}) {
      for (uint8_t target = 0; target < 10; ++target) {
        in.Reset().SetState(cur).SetState(target);
      }
    }
    // PRE_COPY_P2P -> STOP_COPY after close_device dropped the pre-copy
    // file: a new stream with header and ports.
    in.Reset().SetState(mig::kPCP).Close().SetState(mig::kSC).Read(200);
    add("every_arc_kernel", in);
  }
  {
    // The save and resume files' other answers: PRECOPY_INFO argument
    // checks and on a dropped file (in and out of PRE_COPY), reads at the
    // end of the stream, positional and wrong-direction I/O, ioctls on a
    // resume file, a resume dropped by close_device.
    Input in(1, true);
    BusyPort(in, 0);
    in.SetState(mig::kPC).PrecopyInfo(8).PrecopyInfo(0x40 | 24);
    in.PrecopyInfo(24).Close().PrecopyInfo(24).Read(10).SetState(mig::kR);
    in.SetState(mig::kSC).Read(200).Read(10).PrecopyInfo(24);
    in.Seek(0, 5).Seek(1, ~uint64_t{0}).Seek(5, 0).Seek(0, ~uint64_t{0});
    in.SetState(mig::kS).PrecopyInfo(24).Read(1);
    in.SetState(mig::kRS).Seek(4, 0).Seek(3, ~uint64_t{0}).Seek(2, 7);
    in.PrecopyInfo(0x80 | 24).Close().SetState(mig::kS);
    // PRECOPY_INFO on a file close_device dropped in PRE_COPY_P2P.
    in.Reset().SetState(mig::kPCP).Close().PrecopyInfo(24);
    // Header empty then whole (an empty first chunk), then a second header
    // that lands in the port record and makes it invalid.
    in.Reset().SetState(mig::kRS).WriteHeader(0).WriteHeader(24);
    in.SetState(mig::kS);
    add("file_edges_16550a", in);
  }
  {
    // Headers that are not this device's, field by field, each refused
    // (-EFAULT) whole or when its last chunk arrives.
    Input in(1, false);
    in.SetState(mig::kRS);
    auto header = [](uint32_t major, uint32_t minor, uint32_t ports,
                     uint32_t flags) {
      std::vector<uint8_t> h;
      PutLe(h, 0x7e9d09898c3e2c4eull, 8);
      PutLe(h, major, 4);
      PutLe(h, minor, 4);
      PutLe(h, ports, 4);
      PutLe(h, flags, 4);
      return h;
    };
    for (const std::vector<uint8_t>& h :
         {header(2, 0, 1, 0), header(1, 1, 1, 0), header(1, 0, 2, 0),
          header(1, 0, 1, 1), header(1, 0, 0, 0)}) {
      in.Write(h);
      in.Write(std::span<const uint8_t>(h).first(20))
          .Write(std::span<const uint8_t>(h).subspan(20));
      in.SetState(mig::kS).Reset().SetState(mig::kRS);
    }
    add("foreign_headers_kernel", in);
  }
  {
    // Kernel-profile records: each check of Uart16550::LoadState failing
    // once, and records it accepts (power-on, after an FCR write, data
    // with an overrun).
    Input in(1, false);
    using R = Record;
    for (const R& r : {
             R(false).Set(0, 2),                 // version
             R(false).Set(1, 1),                 // profile
             R(false).Set(63, 1),                // reserved
             R(false).Set(11, 2),                // THRE latch > 1
             R(false).Set(12, 2),                // CTI latch > 1
             R(false).Set(15, 17),               // count > 16
             R(false).Set(20, 'x'),              // byte past count
             R(false).Set(40, 0x10),             // flag past count
             R(false).Set(14, 1),                // not power-on
             R(false).Set(6, 0x01).Set(14, 16),  // FCR, trigger 0
             R(false).Set(13, 1).Set(14, 16),    // FIFO off, 16
             R(false).Set(13, 2),                // trigger 2
             R(false).Set(9, 0x10),              // BI latched
             R(false).Set(10, 0x01),             // MSR delta
             R(false).Set(11, 1),                // THRE latch
             R(false).Set(12, 1),                // CTI latch
             R(false).Set(48, 1),                // idle timer
             R(false).Rx({'a'}, 0x10),           // byte flags
             R(false),                           // power-on: loads
             R(false).Set(6, 0xc1).Set(13, 1).Rx({'o', 'k'}).Set(9, 0x02),
             R(false).Set(6, 0x06).Set(13, 1).Set(14, 1),  // FIFO off: loads
         }) {
      Resume(in, r);
      if (in.bytes().size() > 900) flush("resume_record_checks_kernel", in);
    }
    flush("resume_record_checks_kernel", in);
  }
  {
    // 16550a records: each check of Uart16550::LoadState failing once,
    // and records it accepts (FIFO on with data, a break, the CTI latch
    // and idle timer with data queued).
    Input in(1, true);
    using R = Record;
    const auto fifo = [](uint8_t fcr, uint8_t trigger) {
      return R(true).Set(6, fcr).Set(13, trigger).Set(14, 16);
    };
    for (const R& r : {
             R(true).Set(0, 0),              // version
             R(true).Set(1, 0),              // profile
             R(true).Set(56, 1),             // reserved
             R(true).Set(11, 3),             // THRE latch > 1
             R(true).Set(15, 17),            // count > 16
             R(true).Set(2, 0x10),           // IER bits 7:4
             R(true).Set(4, 0x20),           // MCR bits 7:5
             fifo(0x03, 1),                  // FCR reset bit
             R(true).Set(6, 0x08),           // FIFO off, DMA
             fifo(0x41, 1),                  // trigger not 4
             R(true).Set(14, 16),            // capacity 16
             fifo(0x01, 1).Set(14, 1),       // capacity 1
             R(true).Rx({'a', 'b'}),         // count > 1
             R(true).Set(9, 0x01),           // LSR DR latched
             R(true).Set(10, 0x10),          // MSR delta 7:4
             fifo(0x01, 1).Rx({'a'}, 0x01),  // flag not BI
             fifo(0x01, 1).Rx({'a'}, 0x10),  // break, byte 'a'
             R(true).Set(12, 1),             // CTI, FIFO off
             fifo(0x01, 1).Set(12, 1),       // CTI, FIFO empty
             R(true).Set(48, 1),             // idle, FIFO off
             fifo(0x01, 1).Set(49, 1),       // idle, empty
             R(true),                        // power-on: loads
             fifo(0xc9, 14).Rx({0}, 0x10).Set(9, 0x12).Set(10, 0x0f),
             fifo(0x81, 8).Rx({'c', 't', 'i'}).Set(12, 1).Set(50, 7),
             R(true).Set(2, 0x0f).Set(4, 0x1f).Set(11, 1).Rx({'z'}),
         }) {
      Resume(in, r);
      if (in.bytes().size() > 900) flush("resume_record_checks_16550a", in);
    }
    flush("resume_record_checks_16550a", in);
  }
  return seeds;
}

}  // namespace mtty::fuzz
