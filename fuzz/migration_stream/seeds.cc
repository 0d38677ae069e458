// Copyright mtty-lab authors.
//
// migration_stream seeds: QEMU-style stop-and-copy and pre-copy migrations
// of busy ports, resumes into the same device, the transitions the kernel
// refuses, and streams that must be rejected.
#include "fuzz/seeds.h"

#include <array>
#include <initializer_list>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/uart16550.h"
#include "fuzz/migration_stream/harness.h"
#include "fuzz/migration_stream/ops.h"
#include "fuzz/models/mig_model.h"

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

// A port record built as a Uart16550::State: the given profile's power-on
// state, changed field by field. Raw sets a byte no State field can hold
// (the version, a reserved byte, a latch byte above 1), for records that
// must be rejected.
class Record {
 public:
  using S = Uart16550::State;
  explicit Record(bool uart)
      : st_(Uart16550(uart ? Profile::k16550a : Profile::kKernel).state()) {}
  template <typename T, typename V>
  Record& Set(T S::*field, V value) {
    st_.*field = static_cast<T>(value);
    return *this;
  }
  // FIFO contents: count, then bytes and their flags.
  Record& Rx(std::initializer_list<uint8_t> bytes, uint8_t flags = 0) {
    st_.rx_count = static_cast<uint8_t>(bytes.size());
    size_t i = 0;
    for (uint8_t c : bytes) {
      st_.rx_bytes[i] = c;
      st_.rx_flags[i] = flags;
      ++i;
    }
    return *this;
  }
  // An RX slot set past the count.
  Record& RxSlot(size_t i, uint8_t byte, uint8_t flags) {
    st_.rx_bytes[i] = byte;
    st_.rx_flags[i] = flags;
    return *this;
  }
  Record& Raw(size_t at, uint8_t value) {
    raw_.push_back({at, value});
    return *this;
  }
  std::vector<uint8_t> bytes() const {
    const std::array<uint8_t, Uart16550::kStateSize> record = st_.Encode();
    std::vector<uint8_t> out(record.begin(), record.end());
    for (const auto& [at, value] : raw_) out[at] = value;
    return out;
  }

 private:
  S st_;
  std::vector<std::pair<size_t, uint8_t>> raw_;
};

// One resume attempt from RUNNING: STOP -> RESUMING, this device's header,
// the record, RESUMING -> STOP (loads it or is refused, the stream rules
// decide), then RESET back to RUNNING.
void Resume(Input& in, const Record& r) {
  in.Reset().SetState(mig::kRS).WriteHeader(24).Write(r.bytes()).SetState(
      mig::kS);
}

std::vector<Seed> MigrationStreamSeeds() {
  std::vector<Seed> seeds;
  auto add = [&](const char* name, const Input& in) {
    seeds.push_back(Seed{"migration_stream", name, in.bytes()});
  };
  // Long record lists go out in parts (seeds stay under the 1024-byte
  // -max_len of migration_stream.options): name_1, name_2, ...
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
    using S = Uart16550::State;
    for (const R& r : {
             R(false).Raw(0, 2),                           // version
             R(false).Set(&S::profile, Profile::k16550a),  // profile
             R(false).Raw(63, 1),                          // reserved
             R(false).Raw(11, 2),                          // THRE latch > 1
             R(false).Raw(12, 2),                          // CTI latch > 1
             R(false).Set(&S::rx_count, 17),               // count > 16
             R(false).RxSlot(4, 'x', 0),                   // byte past count
             R(false).RxSlot(8, 0, 0x10),                  // flag past count
             R(false).Set(&S::rx_capacity, 1),             // not power-on
             R(false).Set(&S::fcr, 0x01).Set(&S::rx_capacity, 16),  // trig 0
             R(false).Set(&S::trigger_level, 1).Set(&S::rx_capacity, 16),
             R(false).Set(&S::trigger_level, 2),    // trigger 2
             R(false).Set(&S::lsr_errors, kLsrBi),  // BI latched
             R(false).Set(&S::msr_delta, 0x01),     // MSR delta
             R(false).Set(&S::thre_pending, true),  // THRE latch
             R(false).Set(&S::cti_pending, true),   // CTI latch
             R(false).Set(&S::idle_ns, 1),          // idle timer
             R(false).Rx({'a'}, kLsrBi),            // byte flags
             R(false),                              // power-on: loads
             R(false)
                 .Set(&S::fcr, 0xc1)
                 .Set(&S::trigger_level, 1)
                 .Rx({'o', 'k'})
                 .Set(&S::lsr_errors, kLsrOe),
             R(false)  // FIFO off: loads
                 .Set(&S::fcr, 0x06)
                 .Set(&S::trigger_level, 1)
                 .Set(&S::rx_capacity, 1),
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
    using S = Uart16550::State;
    const auto fifo = [](uint8_t fcr, uint8_t trigger) {
      return R(true)
          .Set(&S::fcr, fcr)
          .Set(&S::trigger_level, trigger)
          .Set(&S::rx_capacity, 16);
    };
    for (const R& r : {
             R(true).Raw(0, 0),                           // version
             R(true).Set(&S::profile, Profile::kKernel),  // profile
             R(true).Raw(56, 1),                          // reserved
             R(true).Raw(11, 3),                          // THRE latch > 1
             R(true).Set(&S::rx_count, 17),               // count > 16
             R(true).Set(&S::ier, 0x10),                  // IER bits 7:4
             R(true).Set(&S::mcr, 0x20),                  // MCR bits 7:5
             fifo(0x03, 1),                               // FCR reset bit
             R(true).Set(&S::fcr, 0x08),                  // FIFO off, DMA
             fifo(0x41, 1),                               // trigger not 4
             R(true).Set(&S::rx_capacity, 16),            // capacity 16
             fifo(0x01, 1).Set(&S::rx_capacity, 1),       // capacity 1
             R(true).Rx({'a', 'b'}),                      // count > 1
             R(true).Set(&S::lsr_errors, kLsrDr),         // LSR DR latched
             R(true).Set(&S::msr_delta, 0x10),            // MSR delta 7:4
             fifo(0x01, 1).Rx({'a'}, 0x01),               // flag not BI
             fifo(0x01, 1).Rx({'a'}, kLsrBi),             // break, byte 'a'
             R(true).Set(&S::cti_pending, true),          // CTI, FIFO off
             fifo(0x01, 1).Set(&S::cti_pending, true),    // CTI, FIFO empty
             R(true).Set(&S::idle_ns, 1),                 // idle, FIFO off
             fifo(0x01, 1).Set(&S::idle_ns, 0x100),       // idle, empty
             R(true),                                     // power-on: loads
             fifo(0xc9, 14)
                 .Rx({0}, kLsrBi)
                 .Set(&S::lsr_errors, kLsrBi | kLsrOe)
                 .Set(&S::msr_delta, 0x0f),
             fifo(0x81, 8)
                 .Rx({'c', 't', 'i'})
                 .Set(&S::cti_pending, true)
                 .Set(&S::idle_ns, 7 << 16),
             R(true)
                 .Set(&S::ier, 0x0f)
                 .Set(&S::mcr, 0x1f)
                 .Set(&S::thre_pending, true)
                 .Rx({'z'}),
         }) {
      Resume(in, r);
      if (in.bytes().size() > 900) flush("resume_record_checks_16550a", in);
    }
    flush("resume_record_checks_16550a", in);
  }
  return seeds;
}

}  // namespace

MTTY_REGISTER_SEEDS(migration_stream, MigrationStreamSeeds, RunMigrationStream)

}  // namespace mtty::fuzz
