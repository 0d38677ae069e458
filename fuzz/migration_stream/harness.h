// Copyright mtty-lab authors.
//
// The migration_stream fuzzer's logic: state-transition sequences, resume
// streams written in arbitrary chunks (random, truncated, mutated, or the
// device's own saved stream), save-stream reads, port activity in between,
// RESET and close_device. Oracles, after every operation:
//  * the state machine: each SET's result and final state are what the
//    kernel's table (fuzz/models/mig_model.h) gives; the device is never in
//    ERROR and never moves but along the table; a SET produces a file exactly
//    when its final arc makes one;
//  * bad streams are rejected without state change: every resume write's
//    result (-ENOMEM, -ENODEV, -EFAULT for a header that is not this
//    device's, or the chunk length) is the rule's, a rejected chunk changes
//    nothing, RESUMING -> STOP fails unless the whole stream arrived and
//    every record is one Uart16550::LoadState accepts, and a failed SET
//    leaves state() as it was;
//  * save streams: the bytes read are the header and the port records as
//    they were at the arc that made the file, reads past the end return 0,
//    a dropped file answers -ENODEV, PRECOPY_INFO counts the unread bytes;
//  * save -> resume is the identity on the ports, on the same device and
//    into a fresh one.
#ifndef MTTY_FUZZ_MIGRATION_STREAM_HARNESS_H_
#define MTTY_FUZZ_MIGRATION_STREAM_HARNESS_H_

#include <cstdint>
#include <span>

#include "fuzz/device_under_test.h"
#include "fuzz/finding.h"

namespace mtty::fuzz {

struct MigrationStreamOptions {
  DeviceFactory factory = MakeRealDevice;
  size_t max_ops = 2048;
};

MaybeFinding RunMigrationStream(std::span<const uint8_t> input,
                                const MigrationStreamOptions& options = {});

}  // namespace mtty::fuzz

#endif  // MTTY_FUZZ_MIGRATION_STREAM_HARNESS_H_
